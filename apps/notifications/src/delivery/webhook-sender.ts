import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { WEBHOOK_HEADERS } from '@parley/contracts';
import { type WebhookTargets, WebhookTargetRefused } from './webhook-targets';

export class WebhookDeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'WebhookDeliveryError';
  }
}

/** Hex HMAC-SHA256 over `${timestamp}.${body}`: what a receiver recomputes to trust a delivery. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * POSTs one signed delivery to a target the rules allow, connecting to the address that was
 * checked. 2xx is delivered; a timeout, a connection error, 408, 429 and 5xx are worth another
 * try; a refused target, a redirect (never followed) and any other answer are permanent.
 */
export async function postWebhook(input: {
  url: string;
  secret: string;
  deliveryId: string;
  body: string;
  now: Date;
  timeoutMs: number;
  targets: WebhookTargets;
}): Promise<void> {
  const refusal = input.targets.urlRefusal(input.url);
  if (refusal !== null) throw new WebhookDeliveryError(`webhook target refused: ${refusal}`, true);
  const timestamp = Math.floor(input.now.getTime() / 1000);
  let status: number;
  try {
    status = await post(new URL(input.url), {
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(input.body)),
        'user-agent': 'Parley-Webhooks/1',
        [WEBHOOK_HEADERS.id]: input.deliveryId,
        [WEBHOOK_HEADERS.timestamp]: String(timestamp),
        [WEBHOOK_HEADERS.signature]: `v1=${webhookSignature(input.secret, timestamp, input.body)}`,
      },
      body: input.body,
      timeoutMs: input.timeoutMs,
      lookup: input.targets.lookup,
    });
  } catch (error) {
    if (error instanceof WebhookTargetRefused) throw new WebhookDeliveryError(error.message, true);
    throw new WebhookDeliveryError(
      `webhook unreachable: ${error instanceof Error ? error.message : String(error)}`,
      false,
    );
  }
  if (status >= 200 && status < 300) return;
  if (status >= 300 && status < 400)
    throw new WebhookDeliveryError(`webhook answered ${status}; redirects are not followed`, true);
  const retry = status === 408 || status === 429 || status >= 500;
  throw new WebhookDeliveryError(`webhook answered ${status}`, !retry);
}

/** One request on a connection of its own, resolved through `lookup`; answers the status. */
function post(
  url: URL,
  options: {
    headers: Record<string, string>;
    body: string;
    timeoutMs: number;
    lookup: WebhookTargets['lookup'];
  },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(
      url,
      {
        method: 'POST',
        headers: options.headers,
        lookup: options.lookup,
        agent: false,
        signal: AbortSignal.timeout(options.timeoutMs),
      },
      (response) => {
        resolve(response.statusCode ?? 0);
        response.destroy();
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}
