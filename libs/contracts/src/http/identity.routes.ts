import { z } from 'zod';
import {
  accountViewSchema,
  accountsPageSchema,
  loginRequestSchema,
  passwordResetConfirmSchema,
  passwordResetRequestSchema,
  refreshRequestSchema,
  registerRequestSchema,
  setRolesRequestSchema,
  tokensResponseSchema,
  updateMeRequestSchema,
  verifyEmailRequestSchema,
} from './identity.api';
import { ANYONE, ANY_ACCOUNT, routeTable, withRole } from './routes';

/** The gateway's own routes of accounts: it answers them itself. */
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
  refresh: {
    method: 'POST',
    path: '/api/v1/auth/refresh',
    service: 'gateway',
    body: refreshRequestSchema,
    answer: { status: 200, schema: tokensResponseSchema, description: 'New tokens' },
    problems: [401],
    access: ANYONE,
    summary:
      'Trade a refresh token for new tokens; the old refresh token stops working (rotation).',
    writeLimited: true,
  },
  logout: {
    method: 'POST',
    path: '/api/v1/auth/logout',
    service: 'gateway',
    body: refreshRequestSchema,
    answer: { status: 204, description: 'The session has ended' },
    problems: [401],
    access: ANYONE,
    summary: 'End the session of a refresh token.',
  },
  requestPasswordReset: {
    method: 'POST',
    path: '/api/v1/auth/password-reset',
    service: 'gateway',
    body: passwordResetRequestSchema,
    answer: {
      status: 202,
      description: 'Accepted: a mail is on its way if the address has an account',
    },
    problems: [],
    access: ANYONE,
    summary:
      'Ask for a link to choose a new password. If the address has an account, a mail with a link that works once, within the hour, goes to it (a few an hour at most). ' +
      'The answer is the same whether or not the address has an account.',
    writeLimited: true,
  },
  confirmPasswordReset: {
    method: 'POST',
    path: '/api/v1/auth/password-reset/confirm',
    service: 'gateway',
    body: passwordResetConfirmSchema,
    answer: { status: 204, description: 'The password is changed' },
    problems: [401],
    access: ANYONE,
    summary:
      'Set a new password with the token of a reset link. The link then stops working, and every session of the account ends (log in with the new password).',
    writeLimited: true,
  },
  verifyEmail: {
    method: 'POST',
    path: '/api/v1/auth/verify-email',
    service: 'gateway',
    body: verifyEmailRequestSchema,
    answer: { status: 200, schema: accountViewSchema, description: 'The account, now verified' },
    problems: [401, 404, 409],
    access: ANYONE,
    summary: 'Confirm the email address with the token from the verification mail.',
  },
  verifyEmailLink: {
    method: 'GET',
    path: '/api/v1/auth/verify-email',
    service: 'gateway',
    query: verifyEmailRequestSchema,
    answer: { status: 303, description: 'Verified: see the blog (Location)' },
    problems: [401, 404, 409],
    access: ANYONE,
    summary:
      'The link in the verification mail: confirms the address and sends the browser to the blog.',
  },
  resendVerification: {
    method: 'POST',
    path: '/api/v1/auth/resend-verification',
    service: 'gateway',
    answer: {
      status: 202,
      description:
        'Accepted: a mail is on its way unless the address is verified or had enough mail',
    },
    problems: [401, 404],
    access: ANY_ACCOUNT,
    summary:
      'Send the verification mail again (nothing happens once the address is verified). A few mails an hour at most per address and per account; the answer is the same either way.',
    writeLimited: true,
  },
  me: {
    method: 'GET',
    path: '/api/v1/me',
    service: 'gateway',
    answer: { status: 200, schema: accountViewSchema, description: 'The account' },
    problems: [401, 404],
    access: ANY_ACCOUNT,
    summary: 'The logged-in account.',
  },
  updateMe: {
    method: 'PATCH',
    path: '/api/v1/me',
    service: 'gateway',
    body: updateMeRequestSchema,
    answer: { status: 200, schema: accountViewSchema, description: 'The account' },
    problems: [401, 404, 422],
    access: ANY_ACCOUNT,
    summary:
      'Change the display name; it reaches the comments already written. The names of the blog staff are theirs (422).',
  },
  accounts: {
    method: 'GET',
    path: '/api/v1/accounts',
    service: 'gateway',
    answer: { status: 200, schema: accountsPageSchema, description: 'Accounts' },
    problems: [401, 403],
    access: withRole('admin'),
    summary: 'The accounts of the blog, newest first (admins).',
  },
  setRoles: {
    method: 'PUT',
    path: '/api/v1/accounts/:id/roles',
    service: 'gateway',
    params: { id: z.string().min(1).max(100) },
    body: setRolesRequestSchema,
    answer: { status: 200, schema: accountViewSchema, description: 'The account' },
    problems: [401, 403, 404, 409],
    access: withRole('admin'),
    summary: 'Set the roles of an account (admins). Effective at its next token refresh.',
  },
});
