/** XML text escaping, and the error document of replies no service has claimed. */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#xD;',
};

/** Escapes text content; CR is written as a character reference so XML parsers keep it (AWS does the same). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => ESCAPES[c]);
}

/** `<ErrorResponse>` as the AWS query protocol sends it. */
export function errorResponseXml(
  xmlns: string,
  fault: string,
  code: string,
  message: string,
  requestId: string,
): string {
  return (
    `<?xml version="1.0"?><ErrorResponse xmlns="${xmlns}"><Error><Type>${fault}</Type>` +
    `<Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message><Detail/></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}
