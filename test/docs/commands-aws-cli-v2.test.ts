/**
 * Every command of README.md and docs/workshop/ as written, with AWS CLI v2 before 2.13 (Debian's 2.9: no
 * AWS_ENDPOINT_URL, SQS over the query protocol) and a current v2 (test/docs/documented-commands.ts).
 */
import { startLocalApp } from '../helpers/local-app';
import { describeDocumentedCommands } from './documented-commands';

describeDocumentedCommands('AWS CLI v2 before 2.13', startLocalApp);
describeDocumentedCommands('AWS CLI v2 2.13+', startLocalApp);
