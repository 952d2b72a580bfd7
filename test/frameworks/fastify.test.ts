/** The upload handler under Fastify 5 (examples/fastify), through its real HTTP server. */
import { start } from '../../examples/fastify/server.js';
import { frameworkContract } from '../support/framework-contract.js';

frameworkContract('fastify', () => start());
