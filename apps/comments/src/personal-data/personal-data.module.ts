import { Module } from '@nestjs/common';
import { ThreadModule } from '../thread/thread.module';
import { ErasureController } from './erasure.controller';
import { ErasureService } from './erasure.service';

@Module({
  imports: [ThreadModule],
  controllers: [ErasureController],
  providers: [ErasureService],
})
export class PersonalDataModule {}
