/** The upload handler under Hono 4 on @hono/node-server (examples/hono), through its real HTTP server. */
import { start } from '../../examples/hono/server.js';
import { frameworkContract } from '../support/framework-contract.js';

frameworkContract('hono', () => start());
