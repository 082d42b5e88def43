/**
 * Just enough XML reading for REST-XML request bodies (S3's CreateBucketConfiguration, Delete,
 * CompleteMultipartUpload, NotificationConfiguration): elements, text, entities, CDATA, comments.
 * No DTDs (so no entity expansion attacks); namespace prefixes are dropped.
 */

export interface XmlElement {
  readonly name: string;
  readonly children: XmlElement[];
  /** Concatenated text directly inside this element. */
  text: string;
  /** Attributes by local name (S3's Grantee `xsi:type` is `type`); absent when it has none. */
  attributes?: Record<string, string>;
}

export class XmlSyntaxError extends Error {}

const MAX_DEPTH = 64;
const NAME = /^[A-Za-z_][\w.:-]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Parses a document with one root element; throws XmlSyntaxError if it is not well-formed. */
export function parseXml(source: string): XmlElement {
  let pos = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const fail = (what: string): never => {
    throw new XmlSyntaxError(`${what} at offset ${pos}`);
  };
  if (source.charCodeAt(0) === 0xfeff) pos = 1;
  while (pos < source.length) {
    const lt = source.indexOf('<', pos);
    const textEnd = lt < 0 ? source.length : lt;
    if (textEnd > pos) {
      const text = source.slice(pos, textEnd);
      if (stack.length > 0) stack[stack.length - 1].text += decodeEntities(text, fail);
      else if (text.trim() !== '') fail('text outside the root element');
      pos = textEnd;
      continue;
    }
    if (source.startsWith('<?', pos)) {
      const end = source.indexOf('?>', pos);
      if (end < 0) fail('unterminated processing instruction');
      pos = end + 2;
    } else if (source.startsWith('<!--', pos)) {
      const end = source.indexOf('-->', pos);
      if (end < 0) fail('unterminated comment');
      pos = end + 3;
    } else if (source.startsWith('<![CDATA[', pos)) {
      const end = source.indexOf(']]>', pos);
      if (end < 0 || stack.length === 0) fail('misplaced CDATA');
      stack[stack.length - 1].text += source.slice(pos + 9, end);
      pos = end + 3;
    } else if (source.startsWith('<!', pos)) {
      fail('DTDs are not accepted');
    } else if (source.startsWith('</', pos)) {
      const match = NAME.exec(source.slice(pos + 2, pos + 260));
      if (!match) fail('bad closing tag');
      const name = localName((match as RegExpExecArray)[0]);
      pos += 2 + (match as RegExpExecArray)[0].length;
      while (/\s/.test(source[pos] ?? '')) pos++;
      if (source[pos] !== '>') fail('bad closing tag');
      pos++;
      const open = stack.pop();
      if (!open || open.name !== name) fail(`mismatched closing tag </${name}>`);
    } else {
      const match = NAME.exec(source.slice(pos + 1, pos + 260));
      if (!match) fail('bad tag');
      const element: XmlElement = { name: localName((match as RegExpExecArray)[0]), children: [], text: '' };
      pos += 1 + (match as RegExpExecArray)[0].length;
      // attributes must be well-formed; namespace declarations are dropped, the others kept by local name
      for (;;) {
        while (/\s/.test(source[pos] ?? '')) pos++;
        if (source[pos] === '>' || source.startsWith('/>', pos)) break;
        const attribute = /^([A-Za-z_][\w.:-]*)\s*=\s*("[^"<]*"|'[^'<]*')/.exec(
          source.slice(pos, pos + 4096),
        );
        if (!attribute) fail('bad attribute');
        const [text, name, quoted] = attribute as RegExpExecArray;
        pos += text.length;
        if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
        element.attributes ??= {};
        element.attributes[localName(name)] = decodeEntities(quoted.slice(1, -1), fail);
      }
      const selfClosing = source[pos] === '/';
      pos += selfClosing ? 2 : 1;
      if (stack.length > 0) stack[stack.length - 1].children.push(element);
      else if (root) fail('more than one root element');
      else root = element;
      if (!selfClosing) {
        if (stack.length >= MAX_DEPTH) fail('too deeply nested');
        stack.push(element);
      }
    }
  }
  if (!root) fail('no root element');
  if (stack.length > 0) fail(`unclosed element <${stack[stack.length - 1].name}>`);
  return root as XmlElement;
}

/** The first child named `name`, if any. */
export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

/** Every child named `name`. */
export function children(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}

/** The text of the first child named `name`, if there is such a child. */
export function childText(element: XmlElement, name: string): string | undefined {
  return child(element, name)?.text;
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

function decodeEntities(text: string, fail: (what: string) => never): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^;\s]{0,10});?/g, (whole, entity: string) => {
    if (!whole.endsWith(';')) fail('bad entity');
    if (entity.startsWith('#x')) return codePoint(Number.parseInt(entity.slice(2), 16), fail);
    if (entity.startsWith('#')) return codePoint(Number.parseInt(entity.slice(1), 10), fail);
    const named = ENTITIES[entity];
    if (named === undefined) fail(`unknown entity &${entity};`);
    return named;
  });
}

function codePoint(n: number, fail: (what: string) => never): string {
  if (!Number.isInteger(n) || n < 1 || n > 0x10ffff) fail('bad character reference');
  return String.fromCodePoint(n);
}
