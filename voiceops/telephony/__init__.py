"""Phone calls: Twilio Media Streams and Exotel AgentStream in front of voice sessions."""
