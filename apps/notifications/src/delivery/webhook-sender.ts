import { createHmac } from 'node:crypto';
import { WEBHOOK_HEADERS } from '@parley/contracts';

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
 * POSTs one signed delivery. 2xx is delivered; a timeout, a connection error, 408, 429
 * and 5xx are worth another try; any other answer is permanent.
 */
export async function postWebhook(input: {
  url: string;
  secret: string;
  deliveryId: string;
  body: string;
  now: Date;
  timeoutMs: number;
}): Promise<void> {
  const timestamp = Math.floor(input.now.getTime() / 1000);
  let response: Response;
  try {
    response = await fetch(input.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Parley-Webhooks/1',
        [WEBHOOK_HEADERS.id]: input.deliveryId,
        [WEBHOOK_HEADERS.timestamp]: String(timestamp),
        [WEBHOOK_HEADERS.signature]: `v1=${webhookSignature(input.secret, timestamp, input.body)}`,
      },
      body: input.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(input.timeoutMs),
    });
  } catch (error) {
    throw new WebhookDeliveryError(
      `webhook unreachable: ${error instanceof Error ? error.message : String(error)}`,
      false,
    );
  }
  await response.body?.cancel().catch(() => undefined);
  if (response.status >= 200 && response.status < 300) return;
  const retry = response.status === 408 || response.status === 429 || response.status >= 500;
  throw new WebhookDeliveryError(`webhook answered ${response.status}`, !retry);
}
