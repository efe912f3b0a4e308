/** RFC 9457 problem details, the shape of every intake error. */
export interface ProblemField {
  pointer: string;
  detail: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code?: string;
  errors?: ProblemField[];
}

export function problem(
  status: number,
  code: string,
  title: string,
  detail: string,
  errors?: ProblemField[],
): Problem {
  return {
    type: `https://opencx-d365.example/problems/${code}`,
    title,
    status,
    detail,
    code,
    ...(errors ? { errors } : {}),
  };
}
