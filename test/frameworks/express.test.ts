/** The upload handler under Express 5 (examples/express), through its real HTTP server. */
import { start } from '../../examples/express/server.js';
import { frameworkContract } from '../support/framework-contract.js';

frameworkContract('express', () => start());
