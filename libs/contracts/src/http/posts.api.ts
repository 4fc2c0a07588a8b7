// Request and response schemas of the posts service's internal HTTP API, shared with the gateway.
export const POSTS_API_VERSION = 'v1';
