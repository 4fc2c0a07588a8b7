import { COMMENT_ROUTES } from './comments.routes';
import { IDENTITY_ROUTES } from './identity.routes';
import { NOTIFICATION_ROUTES } from './notifications.routes';
import { POST_ROUTES } from './posts.routes';
import { type RouteTable, fillPath, pathParamsOf, servicePathOf } from './routes';

const TABLES: RouteTable[] = [COMMENT_ROUTES, IDENTITY_ROUTES, NOTIFICATION_ROUTES, POST_ROUTES];
const entries = TABLES.flatMap((table) =>
  Object.entries(table.routes).map(([name, route]) => ({ name: `${table.tag}.${name}`, route })),
);

describe('the route tables', () => {
  it.each(entries)('$name checks every path parameter and forwards only those', ({ route }) => {
    const declared = pathParamsOf(route.path);
    expect(Object.keys(route.params ?? {}).sort()).toEqual([...declared].sort());
    for (const name of pathParamsOf(servicePathOf(route))) expect(declared).toContain(name);
  });

  it('gives each method and public path to one entry only', () => {
    const keys = entries.map(({ route }) => `${route.method} ${route.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('fills a service path with each value as one encoded segment', () => {
    expect(fillPath('/v1/posts/:id/likes', { id: 'a/b c' })).toBe('/v1/posts/a%2Fb%20c/likes');
    expect(pathParamsOf('/v1/posts/:postId/comments/:id')).toEqual(['postId', 'id']);
  });
});
