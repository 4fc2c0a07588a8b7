import { Module } from '@nestjs/common';
import { PERSON_KEYS } from '@parley/platform';
import { type PersonKeyStore, PersonalDataCipher } from '@parley/privacy';
import { PersonalDataController } from './personal-data.controller';

/** The guests' personal data: sealed with their keys, opened here and nowhere else. */
@Module({
  controllers: [PersonalDataController],
  providers: [
    {
      provide: PersonalDataCipher,
      useFactory: (keys: PersonKeyStore) => new PersonalDataCipher(keys),
      inject: [PERSON_KEYS],
    },
  ],
  exports: [PersonalDataCipher],
})
export class PersonalDataModule {}
