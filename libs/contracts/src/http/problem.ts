/** One reason a request was refused, naming the field it is about. */
export interface FieldError {
  /** Where the problem is: a dotted path into the body, or `query.x` / `path.x`. */
  field: string;
  reason: string;
}

/** RFC 9457 problem details, the one error format of every Parley HTTP surface. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** Stable machine-readable code, the last segment of `type`. */
  code: string;
  correlationId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}
