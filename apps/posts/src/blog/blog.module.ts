import { Module } from '@nestjs/common';
import { BlogController } from './blog.controller';
import { BlogSettingsService } from './blog-settings.service';

@Module({
  controllers: [BlogController],
  providers: [BlogSettingsService],
  exports: [BlogSettingsService],
})
export class BlogModule {}
