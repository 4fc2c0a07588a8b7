/** Injection tokens of what the infrastructure gives every app. */
export const APP_LOGGER = Symbol('APP_LOGGER');
export const MONGO_CONNECTION = Symbol('MONGO_CONNECTION');
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
