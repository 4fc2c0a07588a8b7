// Request and response schemas of the notifications service's internal HTTP API, shared with the gateway.
export const NOTIFICATIONS_API_VERSION = 'v1';
