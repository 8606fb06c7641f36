// A small OData v4 $filter parser shared by the Graph and 3CX simulators: comparisons
// (eq ne gt ge lt le), and/or/not, parentheses, startswith/endswith/contains, tolower/toupper,
// string/number/boolean/null/GUID literals and property paths (a/b). Lambdas (any/all) are refused.

export class ODataQueryError extends Error {}

type Node =
  | { kind: 'literal'; value: unknown }
  | { kind: 'path'; path: string[] }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'compare'; op: string; left: Node; right: Node }
  | { kind: 'logical'; op: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'not'; operand: Node };

type Token = { type: 'punct'; value: '(' | ')' | ',' } | { type: 'string'; value: string } | { type: 'literal'; value: unknown } | { type: 'word'; value: string };

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})/;
const NUMBER = /^-?\d+(\.\d+)?/;
const WORD = /^[A-Za-z_@$][\w.]*(\/[A-Za-z_][\w.]*)*/;
const COMPARISONS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS = new Set(['startswith', 'endswith', 'contains', 'tolower', 'toupper']);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const char = text[i] ?? '';
    if (/\s/.test(char)) {
      i += 1;
    } else if (char === '(' || char === ')' || char === ',') {
      tokens.push({ type: 'punct', value: char });
      i += 1;
    } else if (char === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new ODataQueryError(`Unterminated string literal at position ${i}.`);
        if (text[j] === "'") {
          if (text[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += text[j];
        j += 1;
      }
      tokens.push({ type: 'string', value });
      i = j + 1;
    } else {
      const match = GUID.exec(rest) ?? DATETIME.exec(rest);
      if (match) {
        tokens.push({ type: 'literal', value: match[0] });
        i += match[0].length;
        continue;
      }
      const number = NUMBER.exec(rest);
      if (number) {
        tokens.push({ type: 'literal', value: Number(number[0]) });
        i += number[0].length;
        continue;
      }
      const word = WORD.exec(rest);
      if (!word) throw new ODataQueryError(`Syntax error at position ${i} in '${text}'.`);
      tokens.push({ type: 'word', value: word[0] });
      i += word[0].length;
    }
  }
  return tokens;
}

function parse(text: string): Node {
  const tokens = tokenize(text);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const isWord = (token: Token | undefined, value: string): boolean => token?.type === 'word' && token.value.toLowerCase() === value;
  const expect = (value: '(' | ')' | ','): void => {
    const token = tokens[position];
    if (token?.type !== 'punct' || token.value !== value) throw new ODataQueryError(`Expected '${value}' at token ${position + 1} in '${text}'.`);
    position += 1;
  };

  const parseOr = (): Node => {
    let left = parseAnd();
    while (isWord(peek(), 'or')) {
      position += 1;
      left = { kind: 'logical', op: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): Node => {
    let left = parseNot();
    while (isWord(peek(), 'and')) {
      position += 1;
      left = { kind: 'logical', op: 'and', left, right: parseNot() };
    }
    return left;
  };
  const parseNot = (): Node => {
    if (isWord(peek(), 'not')) {
      position += 1;
      return { kind: 'not', operand: parseNot() };
    }
    return parseComparison();
  };
  const parseComparison = (): Node => {
    const left = parseOperand();
    const next = peek();
    if (next?.type === 'word' && COMPARISONS.has(next.value.toLowerCase())) {
      position += 1;
      return { kind: 'compare', op: next.value.toLowerCase(), left, right: parseOperand() };
    }
    return left;
  };
  const parseOperand = (): Node => {
    const token = peek();
    if (!token) throw new ODataQueryError(`Unexpected end of '${text}'.`);
    position += 1;
    if (token.type === 'punct') {
      if (token.value !== '(') throw new ODataQueryError(`Unexpected '${token.value}' in '${text}'.`);
      const inner = parseOr();
      expect(')');
      return inner;
    }
    if (token.type === 'string' || token.type === 'literal') return { kind: 'literal', value: token.value };
    const lower = token.value.toLowerCase();
    if (lower === 'true' || lower === 'false') return { kind: 'literal', value: lower === 'true' };
    if (lower === 'null') return { kind: 'literal', value: null };
    const following = peek();
    if (following?.type === 'punct' && following.value === '(') {
      if (!FUNCTIONS.has(lower)) throw new ODataQueryError(`Unsupported function '${token.value}' in '${text}'.`);
      position += 1;
      const args: Node[] = [parseOr()];
      while (peek()?.type === 'punct' && (peek() as { value: string }).value === ',') {
        position += 1;
        args.push(parseOr());
      }
      expect(')');
      return { kind: 'call', name: lower, args };
    }
    if (/\/(any|all)$/i.test(token.value)) throw new ODataQueryError(`Lambda operators are not supported in '${text}'.`);
    return { kind: 'path', path: token.value.split('/') };
  };

  const tree = parseOr();
  if (position !== tokens.length) throw new ODataQueryError(`Unexpected token at position ${position + 1} in '${text}'.`);
  return tree;
}

export interface FilterOptions {
  /** Directory queries (Graph) compare strings case-insensitively. */
  caseInsensitive?: boolean;
  /** Property names the filter may use (top-level); others are refused. */
  allowedProperties?: ReadonlySet<string>;
}

export type Predicate = (record: Record<string, unknown>) => boolean;

export function getPath(record: unknown, path: readonly string[]): unknown {
  let value: unknown = record;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** Compiles a $filter expression to a predicate; throws ODataQueryError on bad syntax. */
export function compileFilter(text: string, options: FilterOptions = {}): Predicate {
  const tree = parse(text);
  const fold = (value: unknown): unknown => (options.caseInsensitive && typeof value === 'string' ? value.toLowerCase() : value);
  const checkPaths = (node: Node): void => {
    if (node.kind === 'path' && options.allowedProperties && !options.allowedProperties.has(node.path[0] ?? ''))
      throw new ODataQueryError(`Could not find a property named '${node.path[0]}' on type or property not filterable.`);
    if (node.kind === 'call') node.args.forEach(checkPaths);
    if (node.kind === 'compare' || node.kind === 'logical') {
      checkPaths(node.left);
      checkPaths(node.right);
    }
    if (node.kind === 'not') checkPaths(node.operand);
  };
  checkPaths(tree);

  const evaluate = (node: Node, record: Record<string, unknown>): unknown => {
    switch (node.kind) {
      case 'literal':
        return node.value;
      case 'path':
        return getPath(record, node.path) ?? null;
      case 'not':
        return !evaluate(node.operand, record);
      case 'logical':
        return node.op === 'and'
          ? Boolean(evaluate(node.left, record)) && Boolean(evaluate(node.right, record))
          : Boolean(evaluate(node.left, record)) || Boolean(evaluate(node.right, record));
      case 'call': {
        const [first, second] = node.args.map((arg) => evaluate(arg, record));
        if (node.name === 'tolower') return typeof first === 'string' ? first.toLowerCase() : first;
        if (node.name === 'toupper') return typeof first === 'string' ? first.toUpperCase() : first;
        if (typeof first !== 'string' || typeof second !== 'string') return false;
        const [haystack, needle] = [fold(first) as string, fold(second) as string];
        if (node.name === 'startswith') return haystack.startsWith(needle);
        if (node.name === 'endswith') return haystack.endsWith(needle);
        return haystack.includes(needle);
      }
      case 'compare': {
        const left = fold(evaluate(node.left, record));
        const right = fold(evaluate(node.right, record));
        if (node.op === 'eq') return left === right;
        if (node.op === 'ne') return left !== right;
        if (left === null || right === null) return false;
        const [a, b] = [left as string | number, right as string | number];
        if (node.op === 'gt') return a > b;
        if (node.op === 'ge') return a >= b;
        if (node.op === 'lt') return a < b;
        return a <= b;
      }
    }
  };
  return (record) => Boolean(evaluate(tree, record));
}

/** Parses `$orderby=a desc, b` into a comparator; throws ODataQueryError on bad input. */
export function compileOrderBy(text: string, allowedProperties?: ReadonlySet<string>): (a: Record<string, unknown>, b: Record<string, unknown>) => number {
  const keys = text.split(',').map((part) => {
    const [field = '', direction = 'asc', ...extra] = part.trim().split(/\s+/);
    if (!field || extra.length > 0 || !/^(asc|desc)$/i.test(direction)) throw new ODataQueryError(`Invalid $orderby '${text}'.`);
    if (allowedProperties && !allowedProperties.has(field.split('/')[0] ?? '')) throw new ODataQueryError(`Could not find a property named '${field}'.`);
    return { path: field.split('/'), sign: direction.toLowerCase() === 'desc' ? -1 : 1 };
  });
  return (a, b) => {
    for (const key of keys) {
      const [x, y] = [getPath(a, key.path), getPath(b, key.path)];
      if (x === y) continue;
      if (x === undefined || x === null) return -key.sign;
      if (y === undefined || y === null) return key.sign;
      const order = typeof x === 'string' && typeof y === 'string' ? x.localeCompare(y) : (x as number) < (y as number) ? -1 : 1;
      if (order !== 0) return order * key.sign;
    }
    return 0;
  };
}

/** `$select=a,b`: keeps only the named top-level properties (plus any `@odata.*` annotations). */
export function applySelect<T extends Record<string, unknown>>(record: T, select: readonly string[] | null): Record<string, unknown> {
  if (!select) return record;
  const picked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (key.startsWith('@odata.')) picked[key] = value;
  for (const field of select) if (field in record) picked[field] = record[field];
  return picked;
}

export function parseSelect(text: string | undefined, allowedProperties?: ReadonlySet<string>): string[] | null {
  if (text === undefined || text.trim() === '') return null;
  const fields = text.split(',').map((field) => field.trim()).filter(Boolean);
  for (const field of fields) if (allowedProperties && !allowedProperties.has(field)) throw new ODataQueryError(`Could not find a property named '${field}' on type.`);
  return fields;
}
