// A YAML view of JSON data: block style for the config view, flow style for one-line snippets.

// Block context: `: ` and ` #` break a plain scalar; flow context also breaks on , [ ] { } and :.
const NEEDS_QUOTES = /^$|^\s|\s$|^[-?:,[\]{}#&*!|>'"%@`]|: | #|:$|[\n\t]/;
const NEEDS_QUOTES_IN_FLOW = /[:,[\]{}#]/;
const LOOKS_TYPED = /^(true|false|null|yes|no|on|off|~|[-+]?(\d|\.\d))/i;

function isMap(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A scalar as YAML reads it back: strings quoted only when plain would change their meaning. */
export function scalar(value, inFlow = false) {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = String(value);
  const quote = NEEDS_QUOTES.test(text) || LOOKS_TYPED.test(text)
    || (inFlow && NEEDS_QUOTES_IN_FLOW.test(text));
  return quote ? JSON.stringify(text) : text;
}

/** `{a: 1, b: {c: x}}`: a flow mapping on one line. */
export function flow(value) {
  if (Array.isArray(value)) return `[${value.map(flow).join(', ')}]`;
  if (isMap(value)) {
    return `{${Object.entries(value).map(([k, v]) => `${scalar(k, true)}: ${flow(v)}`).join(', ')}}`;
  }
  return scalar(value, true);
}

function inline(value) {
  if (Array.isArray(value)) return '[]';
  if (isMap(value)) return '{}';
  return scalar(value);
}

function emit(value, depth, out) {
  const pad = '  '.repeat(depth);
  if (Array.isArray(value)) {
    for (const item of value) {
      if ((isMap(item) && Object.keys(item).length) || (Array.isArray(item) && item.length)) {
        const nested = [];
        emit(item, depth + 1, nested);
        nested[0] = `${pad}- ${nested[0].trimStart()}`;
        out.push(...nested);
      } else {
        out.push(`${pad}- ${inline(item)}`);
      }
    }
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    const name = scalar(key);
    if ((isMap(item) && Object.keys(item).length) || (Array.isArray(item) && item.length)) {
      out.push(`${pad}${name}:`);
      emit(item, depth + 1, out);
    } else if (typeof item === 'string' && item.includes('\n')) {
      out.push(`${pad}${name}: |${item.endsWith('\n') ? '' : '-'}`);
      for (const line of item.replace(/\n$/, '').split('\n')) out.push(`${pad}  ${line}`);
    } else {
      out.push(`${pad}${name}: ${inline(item)}`);
    }
  }
}

/** Block-style YAML for a mapping or list. */
export function toYaml(value) {
  if (!isMap(value) && !Array.isArray(value)) return scalar(value);
  const out = [];
  emit(value, 0, out);
  return out.join('\n');
}
