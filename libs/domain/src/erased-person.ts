/** How every view names a person whose data was erased: the contract's one name for them. */
export { ERASED_PERSON_NAME } from '@parley/contracts';
