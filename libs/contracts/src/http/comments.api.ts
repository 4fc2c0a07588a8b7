// Request and response schemas of the comments service's internal HTTP API, shared with the gateway.
export const COMMENTS_API_VERSION = 'v1';
