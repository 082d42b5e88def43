/** Every command of README.md and docs/workshop/ as written, with AWS CLI v1 (test/docs/documented-commands.ts). */
import { startLocalApp } from '../helpers/local-app';
import { describeDocumentedCommands } from './documented-commands';

describeDocumentedCommands('AWS CLI v1', startLocalApp);
