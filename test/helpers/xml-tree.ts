// A small, strict XML 1.0 well-formedness checker that returns the element tree, for tests of
// generated XML (JUnit). It rejects what real parsers reject in such documents: mismatched or
// unclosed tags, more than one root, text outside the root, unescaped `<` or `&`, unknown
// entities, duplicate or unquoted attributes, characters XML 1.0 forbids. No DTDs, no
// namespaces processing. The e2e test cross-checks its verdicts with Chromium's XML parser.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element (entities decoded). */
  text: string;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const ILLEGAL_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export class XmlError extends Error {}

export function parseXml(src: string): XmlElement {
  const bad = ILLEGAL_CHAR.exec(src);
  if (bad) fail(`character U+${bad[0].codePointAt(0)!.toString(16).padStart(4, '0')} is not allowed`, bad.index);
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;

  if (src.startsWith('<?xml')) {
    const end = src.indexOf('?>');
    if (end < 0) fail('unterminated XML declaration', 0);
    if (!/^<\?xml\s+version="1\.[0-9]"(\s+encoding="[A-Za-z][-A-Za-z0-9._]*")?(\s+standalone="(yes|no)")?\s*\?>$/.test(src.slice(0, end + 2))) {
      fail('malformed XML declaration', 0);
    }
    i = end + 2;
  }

  while (i < src.length) {
    if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i + 4);
      if (end < 0) fail('unterminated comment', i);
      if (src.slice(i + 4, end).includes('--')) fail('"--" inside a comment', i);
      i = end + 3;
    } else if (src.startsWith('<![CDATA[', i)) {
      if (stack.length === 0) fail('CDATA outside the root element', i);
      const end = src.indexOf(']]>', i);
      if (end < 0) fail('unterminated CDATA section', i);
      stack[stack.length - 1].text += src.slice(i + 9, end);
      i = end + 3;
    } else if (src.startsWith('<?', i)) {
      const end = src.indexOf('?>', i);
      if (end < 0) fail('unterminated processing instruction', i);
      if (/^<\?xml[\s?]/i.test(src.slice(i, i + 6))) fail('XML declaration not at the start', i);
      i = end + 2;
    } else if (src.startsWith('<!', i)) {
      fail('DOCTYPE and declarations are not supported', i);
    } else if (src.startsWith('</', i)) {
      const m = NAME.exec(src.slice(i + 2));
      if (!m) fail('bad end tag', i);
      const name = m![0];
      let j = i + 2 + name.length;
      while (/\s/.test(src[j] ?? '')) j++;
      if (src[j] !== '>') fail(`bad end tag </${name}`, i);
      const open = stack.pop();
      if (!open) fail(`end tag </${name}> without a start tag`, i);
      if (open!.name !== name) fail(`end tag </${name}> does not match <${open!.name}>`, i);
      i = j + 1;
    } else if (src[i] === '<') {
      const m = NAME.exec(src.slice(i + 1));
      if (!m) fail('bad start tag', i);
      const el: XmlElement = { name: m![0], attributes: {}, children: [], text: '' };
      let j = i + 1 + el.name.length;
      for (;;) {
        const ws = /^\s*/.exec(src.slice(j))![0].length;
        j += ws;
        if (src.startsWith('/>', j) || src[j] === '>') break;
        if (ws === 0) fail('attributes must be separated by white space', j);
        const an = NAME.exec(src.slice(j));
        if (!an) fail(`bad attribute in <${el.name}>`, j);
        j += an![0].length;
        const eq = /^\s*=\s*/.exec(src.slice(j));
        if (!eq) fail(`attribute ${an![0]} without a value`, j);
        j += eq![0].length;
        const quote = src[j];
        if (quote !== '"' && quote !== "'") fail(`attribute ${an![0]} value not quoted`, j);
        const end = src.indexOf(quote, j + 1);
        if (end < 0) fail(`unterminated attribute ${an![0]}`, j);
        const raw = src.slice(j + 1, end);
        if (raw.includes('<')) fail(`"<" in attribute ${an![0]}`, j);
        if (an![0] in el.attributes) fail(`duplicate attribute ${an![0]}`, j);
        // attribute-value normalisation: literal white space becomes a space, references are kept
        el.attributes[an![0]] = decode(raw.replace(/[\t\n\r]/g, ' '), j);
        j = end + 1;
      }
      const selfClosing = src.startsWith('/>', j);
      i = j + (selfClosing ? 2 : 1);
      if (stack.length) stack[stack.length - 1].children.push(el);
      else if (root) fail('more than one root element', i);
      else root = el;
      if (!selfClosing) stack.push(el);
    } else {
      const next = src.indexOf('<', i);
      const end = next < 0 ? src.length : next;
      const chunk = src.slice(i, end);
      if (stack.length === 0) {
        if (chunk.trim() !== '') fail('text outside the root element', i);
      } else {
        if (chunk.includes(']]>')) fail('"]]>" in text', i);
        stack[stack.length - 1].text += decode(chunk, i);
      }
      i = end;
    }
  }
  if (stack.length) fail(`<${stack[stack.length - 1].name}> is not closed`, src.length);
  if (!root) fail('no root element', 0);
  return root!;
}

function decode(s: string, at: number): string {
  return s.replace(/&([^;&\s]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) fail(`"&" not starting an entity reference`, at);
    if (ref === 'amp') return '&';
    if (ref === 'lt') return '<';
    if (ref === 'gt') return '>';
    if (ref === 'quot') return '"';
    if (ref === 'apos') return "'";
    const num = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(ref);
    if (num) {
      const cp = num[1] !== undefined ? parseInt(num[1], 16) : parseInt(num[2], 10);
      const ch = cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
      if (ch === '' || ILLEGAL_CHAR.test(ch)) fail(`character reference &${ref}; is not allowed`, at);
      return ch;
    }
    fail(`unknown entity &${ref};`, at);
    return '';
  });
}

function fail(message: string, offset: number): never {
  throw new XmlError(`${message} (offset ${offset})`);
}

/** All descendants (and the element itself) with this name, in document order. */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (e.name === name) out.push(e);
    e.children.forEach(walk);
  };
  walk(el);
  return out;
}
