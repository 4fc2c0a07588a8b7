// The part of the wpapi client (which ships no types) that the WordPress dialect's tests use.
declare module 'wpapi' {
  /** A list answer carries WordPress's paging headers as `_paging`. */
  export interface WpPaging {
    total: number;
    totalPages: number;
  }

  export interface WpRequest<T = unknown> {
    id(id: number): WpRequest<T>;
    page(page: number): WpRequest<T>;
    perPage(count: number): WpRequest<T>;
    order(order: 'asc' | 'desc'): WpRequest<T>;
    orderby(field: string): WpRequest<T>;
    search(words: string): WpRequest<T>;
    slug(slug: string): WpRequest<T>;
    forPost(postId: number): WpRequest<T>;
    parent(parentId: number | number[]): WpRequest<T>;
    param(name: string, value: string | number | (string | number)[]): WpRequest<T>;
    setHeaders(headers: Record<string, string>): WpRequest<T>;
    get(): Promise<T>;
    create(data: Record<string, unknown>): Promise<unknown>;
  }

  export interface WpapiOptions {
    endpoint: string;
    routes?: Record<string, unknown>;
  }

  export default class WPAPI {
    constructor(options: WpapiOptions);
    static discover(url: string): Promise<WPAPI>;
    root(path?: string): WpRequest;
    posts(): WpRequest;
    comments(): WpRequest;
    categories(): WpRequest;
    tags(): WpRequest;
    setHeaders(headers: Record<string, string>): WPAPI;
  }
}
