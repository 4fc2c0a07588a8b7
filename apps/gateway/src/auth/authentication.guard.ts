import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
  applyDecorators,
  createParamDecorator,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { Actor, Role } from '@parley/contracts';
import { CLOCK, type Clock, ProblemException } from '@parley/platform';
import type { FastifyRequest } from 'fastify';
import { WithRouteConfig } from '../http/rate-limits';
import { IdentityService } from '../identity/identity.service';
import { COOKIES, CSRF_HEADER } from '../web/web-session';

const REQUIRED = 'parley:authentication';
const FORM_TOKEN_IN_STREAM = 'parley:form-token-in-stream';

interface Requirement {
  roles: readonly Role[];
}

type WithCaller = FastifyRequest & { caller?: Actor | null };

/** The route needs a logged-in caller, with one of the roles when any are given (admin has them all). */
export function Authenticated(...roles: Role[]) {
  return applyDecorators(
    SetMetadata(REQUIRED, { roles } satisfies Requirement),
    // The rate limits read it: a request with no credentials at all is refused before it is counted.
    WithRouteConfig({ parleyAuthenticated: true }),
    ApiBearerAuth(),
  );
}

/**
 * A form whose body is streamed (a file upload): the guard cannot read its `_csrf` field, so
 * the handler checks it as the stream reaches it, before it acts on anything else.
 */
export function FormTokenCheckedInStream() {
  return SetMetadata(FORM_TOKEN_IN_STREAM, true);
}

/** The logged-in account making the request, or null for a guest. */
export const Caller = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Actor | null => {
    return context.switchToHttp().getRequest<WithCaller>().caller ?? null;
  },
);

export function callerOf(request: FastifyRequest): Actor | null {
  return (request as WithCaller).caller ?? null;
}

export const unauthenticated = (detail: string) =>
  new ProblemException({
    status: 401,
    code: 'unauthenticated',
    title: 'You need to be logged in to do this',
    detail,
    headers: { 'www-authenticate': 'Bearer' },
  });

/** Refuses (403) an account with none of the roles, when any are asked for (admin has them all). */
export function requireRole(caller: Actor, roles: readonly Role[]): void {
  if (roles.length === 0 || caller.roles.includes('admin')) return;
  if (roles.some((role) => caller.roles.includes(role))) return;
  throw new ProblemException({
    status: 403,
    code: 'forbidden',
    title: 'Your account may not do this',
    detail: `This needs one of the roles: ${roles.join(', ')}`,
  });
}

/**
 * Reads the bearer token of every request: a valid one makes the caller known, an
 * invalid or expired one is refused (never silently treated as a guest).
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly identity: IdentityService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<WithCaller>();
    const streamedForm =
      this.reflector.get<boolean | undefined>(FORM_TOKEN_IN_STREAM, context.getHandler()) === true;
    request.caller = await this.authenticate(request, streamedForm);
    const requirement = this.reflector.getAllAndOverride<Requirement | undefined>(REQUIRED, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!requirement) return true;
    if (!request.caller)
      throw unauthenticated('Send an access token: Authorization: Bearer <token>');
    requireRole(request.caller, requirement.roles);
    return true;
  }

  private async authenticate(
    request: FastifyRequest,
    streamedForm: boolean,
  ): Promise<Actor | null> {
    const header = request.headers.authorization;
    if (!header) return this.fromCookie(request, streamedForm);
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw unauthenticated('The Authorization header must be "Bearer <token>"');
    const claims = await this.identity.verifyAccess(match[1]);
    if (!claims) throw unauthenticated('The access token is not valid or has expired; refresh it');
    return { accountId: claims.accountId, displayName: claims.displayName, roles: claims.roles };
  }

  /**
   * The reader page's session cookie. A change (any method but GET) must also carry the
   * CSRF token matching the CSRF cookie, which other sites cannot read (double submit): as
   * a header from scripts, as the `_csrf` field from forms.
   */
  private async fromCookie(request: FastifyRequest, streamedForm: boolean): Promise<Actor | null> {
    const token = request.cookies?.[COOKIES.access];
    if (!token) return null;
    if (request.method !== 'GET' && request.method !== 'HEAD' && !streamedForm) {
      // Scripts send the header; the page's forms (which work without JavaScript) the field.
      const field = (request.body as { _csrf?: unknown } | undefined)?._csrf;
      const sent = request.headers[CSRF_HEADER] ?? (typeof field === 'string' ? field : undefined);
      const expected = request.cookies[COOKIES.csrf];
      if (!expected || sent !== expected) {
        throw new ProblemException({
          status: 403,
          code: 'csrf-failed',
          title: 'This request did not come from the page',
          detail: `Send the ${CSRF_HEADER} header with the value of the ${COOKIES.csrf} cookie.`,
        });
      }
    }
    const claims = await this.identity.verifyAccess(token);
    return claims
      ? { accountId: claims.accountId, displayName: claims.displayName, roles: claims.roles }
      : null;
  }
}
