import { loginRequestSchema, registerRequestSchema, tokensResponseSchema } from './identity.api';
import { ANYONE, routeTable } from './routes';

/** The gateway's own routes of accounts that a client starts with: it answers them itself. */
export const IDENTITY_ROUTES = routeTable('Identity', {
  register: {
    method: 'POST',
    path: '/api/v1/auth/register',
    service: 'gateway',
    body: registerRequestSchema,
    answer: {
      status: 201,
      schema: tokensResponseSchema,
      description: 'The account and its first tokens',
    },
    problems: [422],
    access: ANYONE,
    summary:
      'Create an account; the first account of the blog is its admin. Sends a verification mail. ' +
      'The answer does not tell whether the address has an account: if it has, the new account is not bound to the address (it cannot be verified nor logged in to with it) and the owner is told by mail.',
    writeLimited: true,
  },
  login: {
    method: 'POST',
    path: '/api/v1/auth/login',
    service: 'gateway',
    body: loginRequestSchema,
    answer: { status: 200, schema: tokensResponseSchema, description: 'Tokens for the account' },
    problems: [401, 429],
    access: ANYONE,
    summary:
      'Log in with email and password. The answer is the same for an unknown address and a wrong password. ' +
      'After a few wrong passwords for an address, its logins are refused for a while (429 with Retry-After), from any client.',
    writeLimited: true,
  },
});
