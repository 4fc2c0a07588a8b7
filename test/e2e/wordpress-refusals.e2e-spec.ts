import { importWordpress } from '@parley/wordpress';
import { embeddedImportTarget } from '../../apps/standalone/src/import-target';
import { stackForTests } from './stack';

const SITE = 'https://refusals.example';

/** A post whose one comment has no text: the comments service refuses it. */
const EXPORT = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Refusals</title><link>${SITE}/</link><wp:wxr_version>1.2</wp:wxr_version>
<item><title>Quiet</title><dc:creator>ann</dc:creator><wp:post_id>7</wp:post_id>
<wp:post_type>post</wp:post_type><wp:status>publish</wp:status><wp:post_name>quiet</wp:post_name>
<wp:post_date_gmt>2014-01-01 09:00:00</wp:post_date_gmt><wp:comment_status>open</wp:comment_status>
<content:encoded><![CDATA[<p>Hi</p>]]></content:encoded>
<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_parent>0</wp:comment_parent>
<wp:comment_author>Guest</wp:comment_author><wp:comment_author_email>guest@example.com</wp:comment_author_email>
<wp:comment_date_gmt>2014-01-02 10:00:00</wp:comment_date_gmt><wp:comment_content></wp:comment_content>
<wp:comment_approved>1</wp:comment_approved></wp:comment>
</item></channel></rss>`;

async function* chunks(text: string): AsyncGenerator<string> {
  yield text;
}

/**
 * The one-process import names a refused comment in the words the services answer with over
 * HTTP (the problem's code and title), as the import on Kafka + Mongo does.
 */
describe('refusals in a WordPress import (embedded)', () => {
  const { parley } = stackForTests('embedded');

  it('reports a refused comment by its problem code and title', async () => {
    const summary = await importWordpress({
      open: () => chunks(EXPORT),
      target: embeddedImportTarget(parley().running),
      dryRun: false,
    });
    expect(summary.posts.added).toBe(1);
    expect(summary.comments.added).toBe(0);
    expect(summary.skipped).toEqual({
      'comments refused: comment-empty: This comment has no text': 1,
    });
  });
});
