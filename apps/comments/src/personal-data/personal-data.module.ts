import { Module } from '@nestjs/common';
import { PERSON_KEYS } from '@parley/platform';
import { type PersonKeyStore, PersonalDataCipher } from '@parley/privacy';
import { ThreadModule } from '../thread/thread.module';
import { ErasureController } from './erasure.controller';
import { ErasureService } from './erasure.service';
import { PersonalDataController } from './personal-data.controller';

/** The guests' personal data: sealed with their keys, opened here and nowhere else, erased on request. */
@Module({
  imports: [ThreadModule],
  controllers: [PersonalDataController, ErasureController],
  providers: [
    ErasureService,
    {
      provide: PersonalDataCipher,
      useFactory: (keys: PersonKeyStore) => new PersonalDataCipher(keys),
      inject: [PERSON_KEYS],
    },
  ],
  exports: [PersonalDataCipher],
})
export class PersonalDataModule {}
