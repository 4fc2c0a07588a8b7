import { loadConfig } from '@parley/config';
import { defaultCommentSettingsOf } from './posts.service';

const env = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  MONGODB_URI: 'mongodb://127.0.0.1:27017/parley_posts',
  IDENTITY_URL: 'http://gateway:3100',
};

describe("the blog's default comment settings", () => {
  it('keeps comments open unless the operator sets a number of days', () => {
    expect(defaultCommentSettingsOf(loadConfig('posts', env))).toEqual({
      mode: 'open',
      autoCloseDays: null,
    });
  });

  it('closes comments N days after publishing when COMMENTS_AUTO_CLOSE_DAYS is N', () => {
    const config = loadConfig('posts', { ...env, COMMENTS_AUTO_CLOSE_DAYS: '14' });
    expect(defaultCommentSettingsOf(config)).toEqual({ mode: 'auto-close', autoCloseDays: 14 });
  });

  it('refuses a negative or fractional number of days, naming the variable', () => {
    expect(() => loadConfig('posts', { ...env, COMMENTS_AUTO_CLOSE_DAYS: '-3' })).toThrow(
      /COMMENTS_AUTO_CLOSE_DAYS/,
    );
    expect(() => loadConfig('posts', { ...env, COMMENTS_AUTO_CLOSE_DAYS: '1.5' })).toThrow(
      /COMMENTS_AUTO_CLOSE_DAYS/,
    );
  });
});
