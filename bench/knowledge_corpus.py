"""The corpus and labelled questions of bench/knowledge.py: real passages in English, Hindi
and Hinglish, each the only answer to its questions, among synthetic look-alike distractors
(other plans, other FAQs) written from the same vocabulary."""

from __future__ import annotations

import random

#: (passage id, text): the passages the labelled questions are about.
LABELLED = [
    ("en-family", "## Family 999\n\nThe Family 999 plan costs ₹999 a month for up to four SIM "
                  "cards. The family shares 150 GB of data and each member gets unlimited calls."),
    ("en-refund", "## My recharge failed but money was deducted\n\nA failed recharge is refunded "
                  "to the original payment method within 5 working days."),
    ("en-port", "## How do I port my number to Acme?\n\nSend an SMS with PORT and your 10-digit "
                "number to 1900 to get a unique porting code."),
    ("en-balance", "## How do I check my balance?\n\nDial *121# from your Acme number, or open "
                   "the Acme app."),
    ("hi-sim", "## सिम कार्ड खो जाए तो क्या करें?\n\nसिम कार्ड खो जाने पर तुरंत 198 पर कॉल करके "
               "अपना नंबर ब्लॉक करवाएं। नया सिम कार्ड 24 घंटे के अंदर मिल जाता है।"),
    ("hi-roaming", "## अंतरराष्ट्रीय रोमिंग कैसे चालू करें?\n\nअंतरराष्ट्रीय रोमिंग Acme ऐप में चालू "
                   "होती है। ₹599 का रोमिंग पैक लेना सस्ता पड़ता है।"),
    ("hi-hours", "## ग्राहक सेवा का समय\n\nग्राहक सेवा हिंदी और अंग्रेज़ी में सुबह 8 बजे से रात 10 बजे तक "
                 "उपलब्ध है।"),
    ("hi-premium", "## प्रीमियम प्लान\n\nप्रीमियम प्लान की कीमत 499 रुपये प्रति माह है और इसमें "
                   "रोज़ 3 GB डेटा मिलता है।"),
    ("hg-refund", "Agar aapka recharge fail ho gaya aur paisa kat gaya, to paisa 5 din mein "
                  "wapas aa jayega."),
    ("hg-newsim", "Naya SIM lene ke liye apna ID proof lekar kisi bhi Acme store par jaiye."),
    ("hg-dnd", "DND chalu karne ke liye 1909 par START 0 likh kar SMS bhejiye."),
]

#: (language, question, the passage that answers it)
QUESTIONS = [
    ("en", "how much does the family plan cost?", "en-family"),
    ("en", "my recharge failed and the money was taken, when is it refunded", "en-refund"),
    ("en", "I want to port my number to Acme", "en-port"),
    ("en", "how can I check my balance", "en-balance"),
    ("hi", "मेरा सिम कार्ड खो गया है, क्या करूं?", "hi-sim"),
    ("hi", "रोमिंग पैक कितने का है?", "hi-roaming"),
    ("hi", "ग्राहक सेवा कब तक उपलब्ध है", "hi-hours"),
    ("hi", "प्रीमियम प्लान की कीमत क्या है", "hi-premium"),
    ("hg", "recharge fail ho gaya, paisa kab wapas aayega?", "hg-refund"),
    ("hg", "naya sim kaise milega", "hg-newsim"),
    ("hg", "DND kaise chalu karein", "hg-dnd"),
    ("hg", "mera sim kho gaya", "hi-sim"),  # Latin-script question, Devanagari answer
    ("hg", "roaming pack kitne ka hai", "hi-roaming"),
]

_NAMES = ["Saver", "Value", "Unlimited", "Student", "Senior", "Work", "Travel", "Night",
          "Weekend", "Data", "Talk", "Super", "Mega", "Mini", "Annual", "Quarterly"]
_EN = ["The {name} {n} plan costs ₹{n} and is valid for {d} days with {g} GB of data per day.",
       "To change your {name} plan, open the Acme app and choose {name} under Plans.",
       "Calls to other networks on the {name} plan cost {p} paise per minute after {d} minutes.",
       "If your {name} pack does not start within {d} minutes, restart your phone.",
       "Store number {n} is open from {h} am; bring an ID proof for any SIM change."]
_HI = ["{name} {n} प्लान {d} दिन के लिए है और इसमें रोज़ {g} GB डेटा मिलता है।",
       "{name} पैक चालू करने के लिए Acme ऐप में जाकर {name} चुनें।",
       "{name} प्लान पर दूसरे नेटवर्क पर कॉल {p} पैसे प्रति मिनट है।",
       "स्टोर नंबर {n} सुबह {h} बजे खुलता है, पहचान पत्र साथ लाएं।",
       "अगर {name} पैक {d} मिनट में चालू न हो तो फ़ोन दोबारा चालू करें।",
       # "को मत" (don't ... to): FTS5's default tokenizer reads it as "क मत", as it reads कीमत
       "अपना OTP किसी को मत बताइए, {name} पैक के लिए भी नहीं।"]
_HG = ["{name} {n} plan {d} din ke liye hai aur roz {g} GB data milta hai.",
       "{name} pack chalu karne ke liye Acme app mein {name} chuniye.",
       "Store number {n} subah {h} baje khulta hai, ID proof saath laiye.",
       "Agar {name} pack {d} minute mein chalu na ho to phone restart kijiye."]


def distractors(documents: int, chunks_per_doc: int, seed: int = 14) -> list[list[str]]:
    """`documents` documents of `chunks_per_doc` paragraphs each, a third in each language."""
    rng = random.Random(seed)
    docs = []
    for number in range(documents):
        templates = (_EN, _HI, _HG)[number % 3]
        paragraphs = []
        for _ in range(chunks_per_doc):
            values = {"name": rng.choice(_NAMES), "n": rng.randrange(100, 2000),
                      "d": rng.choice([7, 14, 28, 56, 84, 365]), "g": rng.choice([1, 2, 3]),
                      "p": rng.randrange(10, 60), "h": rng.randrange(7, 11)}
            sentences = rng.sample(templates, 2)
            paragraphs.append(" ".join(s.format(**values) for s in sentences))
        docs.append(paragraphs)
    return docs
