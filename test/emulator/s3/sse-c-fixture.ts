/** SSE-C test keys shared by sse-c.test.ts (SDK) and sse-c-clients.test.ts (AWS CLIs, boto3). */
import { createHash } from 'node:crypto';

/** 32 bytes, as the SDK takes a raw key (it sends it base64 with its MD5). */
export const KEY = 'k'.repeat(32);
export const OTHER_KEY = 'o'.repeat(32);
export const md5Of = (key: string) => createHash('md5').update(key).digest('base64');
export const sseC = (key: string) => ({ SSECustomerAlgorithm: 'AES256', SSECustomerKey: key });
