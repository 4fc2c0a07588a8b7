/** Injection tokens of a service's infrastructure. */
export const SERVICE_INFRASTRUCTURE = Symbol('SERVICE_INFRASTRUCTURE');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const LEASES = Symbol('LEASES');
export const MESSAGE_BUS = Symbol('MESSAGE_BUS');
export const READ_MODELS = Symbol('READ_MODELS');
export const CLOCK = Symbol('CLOCK');
export const PERSON_KEYS = Symbol('PERSON_KEYS');
