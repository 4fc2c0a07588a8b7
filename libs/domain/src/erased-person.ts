/** How every view names a person whose data was erased. */
export const ERASED_PERSON_NAME = 'Deleted reader';
