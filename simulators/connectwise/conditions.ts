// ConnectWise Manage `conditions=` parser: comparisons (= != < <= > >=), like (with %),
// contains, in (...), their `not` forms, and/or/not with parentheses, nested fields (board/id),
// strings in double quotes, bare numbers/booleans/null and dates in [brackets].

export class ConditionsError extends Error {}

type Value = string | number | boolean | null | { date: number };

type Node =
  | { kind: 'compare'; field: string[]; op: string; value: Value }
  | { kind: 'in'; field: string[]; values: Value[]; negated: boolean }
  | { kind: 'logical'; op: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'not'; operand: Node };

type Token = { type: 'op' | 'word' | 'punct'; text: string } | { type: 'value'; value: Value };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i] ?? '';
    const rest = source.slice(i);
    if (/\s/.test(char)) {
      i += 1;
    } else if (char === '(' || char === ')' || char === ',') {
      tokens.push({ type: 'punct', text: char });
      i += 1;
    } else if (char === '"') {
      let text = '';
      let j = i + 1;
      while (j < source.length && source[j] !== '"') {
        if (source[j] === '\\' && j + 1 < source.length) j += 1;
        text += source[j];
        j += 1;
      }
      if (j >= source.length) throw new ConditionsError(`Unterminated string starting at position ${i}.`);
      tokens.push({ type: 'value', value: text });
      i = j + 1;
    } else if (char === '[') {
      const end = source.indexOf(']', i);
      if (end < 0) throw new ConditionsError(`Unterminated date starting at position ${i}.`);
      const text = source.slice(i + 1, end).trim();
      const date = Date.parse(text);
      if (Number.isNaN(date)) throw new ConditionsError(`'${text}' is not a valid date.`);
      tokens.push({ type: 'value', value: { date } });
      i = end + 1;
    } else {
      const op = /^(<=|>=|!=|<>|=|<|>)/.exec(rest);
      if (op) {
        tokens.push({ type: 'op', text: op[0] === '<>' ? '!=' : op[0] });
        i += op[0].length;
        continue;
      }
      const number = /^-?\d+(\.\d+)?(?![\w/])/.exec(rest);
      if (number) {
        tokens.push({ type: 'value', value: Number(number[0]) });
        i += number[0].length;
        continue;
      }
      const word = /^[A-Za-z_][\w]*(\/[A-Za-z_][\w]*)*/.exec(rest);
      if (!word) throw new ConditionsError(`Unexpected character '${char}' at position ${i}.`);
      tokens.push({ type: 'word', text: word[0] });
      i += word[0].length;
    }
  }
  return tokens;
}

export function parseConditions(source: string): Node {
  const tokens = tokenize(source);
  let position = 0;
  const peek = (offset = 0): Token | undefined => tokens[position + offset];
  const isKeyword = (token: Token | undefined, keyword: string): boolean => token?.type === 'word' && token.text.toLowerCase() === keyword;
  const isPunct = (token: Token | undefined, text: string): boolean => token?.type === 'punct' && token.text === text;

  const parseValue = (): Value => {
    const token = peek();
    position += 1;
    if (token?.type === 'value') return token.value;
    if (token?.type === 'word') {
      const lower = token.text.toLowerCase();
      if (lower === 'true' || lower === 'false') return lower === 'true';
      if (lower === 'null') return null;
    }
    throw new ConditionsError(`Expected a value but found '${token && 'text' in token ? token.text : 'end of conditions'}'.`);
  };

  const parseComparison = (): Node => {
    const fieldToken = peek();
    if (fieldToken?.type !== 'word') throw new ConditionsError(`Expected a field name at token ${position + 1}.`);
    position += 1;
    const field = fieldToken.text.split('/');
    let negated = false;
    if (isKeyword(peek(), 'not')) {
      negated = true;
      position += 1;
    }
    const opToken = peek();
    if (isKeyword(opToken, 'in')) {
      position += 1;
      if (!isPunct(peek(), '(')) throw new ConditionsError("Expected '(' after 'in'.");
      position += 1;
      const values = [parseValue()];
      while (isPunct(peek(), ',')) {
        position += 1;
        values.push(parseValue());
      }
      if (!isPunct(peek(), ')')) throw new ConditionsError("Expected ')' to close the 'in' list.");
      position += 1;
      return { kind: 'in', field, values, negated };
    }
    if (isKeyword(opToken, 'like') || isKeyword(opToken, 'contains')) {
      position += 1;
      const node: Node = { kind: 'compare', field, op: (opToken as { text: string }).text.toLowerCase(), value: parseValue() };
      return negated ? { kind: 'not', operand: node } : node;
    }
    if (negated || opToken?.type !== 'op') throw new ConditionsError(`Expected an operator after '${fieldToken.text}'.`);
    position += 1;
    return { kind: 'compare', field, op: opToken.text, value: parseValue() };
  };

  const parseUnary = (): Node => {
    if (isKeyword(peek(), 'not')) {
      position += 1;
      return { kind: 'not', operand: parseUnary() };
    }
    if (isPunct(peek(), '(')) {
      position += 1;
      const inner = parseOr();
      if (!isPunct(peek(), ')')) throw new ConditionsError("Missing ')'.");
      position += 1;
      return inner;
    }
    return parseComparison();
  };
  const parseAnd = (): Node => {
    let left = parseUnary();
    while (isKeyword(peek(), 'and')) {
      position += 1;
      left = { kind: 'logical', op: 'and', left, right: parseUnary() };
    }
    return left;
  };
  const parseOr = (): Node => {
    let left = parseAnd();
    while (isKeyword(peek(), 'or')) {
      position += 1;
      left = { kind: 'logical', op: 'or', left, right: parseAnd() };
    }
    return left;
  };

  if (tokens.length === 0) throw new ConditionsError('Conditions are empty.');
  const tree = parseOr();
  if (position < tokens.length) throw new ConditionsError(`Unexpected token at position ${position + 1}.`);
  return tree;
}

function readPath(record: unknown, path: readonly string[]): unknown {
  let value: unknown = record;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return null;
    value = (value as Record<string, unknown>)[segment];
  }
  return value ?? null;
}

/** Comparable form: dates to epoch ms, strings lower-cased (Manage compares case-insensitively). */
function normalise(fieldValue: unknown, literal: Value): [unknown, unknown] {
  if (literal !== null && typeof literal === 'object') return [typeof fieldValue === 'string' ? Date.parse(fieldValue) : null, literal.date];
  return [typeof fieldValue === 'string' ? fieldValue.toLowerCase() : fieldValue, typeof literal === 'string' ? literal.toLowerCase() : literal];
}

function likeToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${body}$`, 'is');
}

function evaluate(node: Node, record: unknown): boolean {
  switch (node.kind) {
    case 'logical':
      return node.op === 'and' ? evaluate(node.left, record) && evaluate(node.right, record) : evaluate(node.left, record) || evaluate(node.right, record);
    case 'not':
      return !evaluate(node.operand, record);
    case 'in': {
      const value = readPath(record, node.field);
      const found = node.values.some((literal) => {
        const [a, b] = normalise(value, literal);
        return a === b;
      });
      return node.negated ? !found : found;
    }
    case 'compare': {
      const raw = readPath(record, node.field);
      if (node.op === 'like') return typeof raw === 'string' && typeof node.value === 'string' && likeToRegExp(node.value).test(raw);
      if (node.op === 'contains') return typeof raw === 'string' && typeof node.value === 'string' && raw.toLowerCase().includes(node.value.toLowerCase());
      const [a, b] = normalise(raw, node.value);
      if (node.op === '=') return a === b;
      if (node.op === '!=') return a !== b;
      if (a === null || b === null) return false;
      const [x, y] = [a as number | string, b as number | string];
      if (node.op === '<') return x < y;
      if (node.op === '<=') return x <= y;
      if (node.op === '>') return x > y;
      return x >= y;
    }
  }
}

function fieldsOf(node: Node): string[][] {
  if (node.kind === 'logical') return [...fieldsOf(node.left), ...fieldsOf(node.right)];
  if (node.kind === 'not') return fieldsOf(node.operand);
  return [node.field];
}

/** Compiles conditions to a predicate; `isKnownField` lets the caller refuse unknown fields. */
export function compileConditions(source: string, isKnownField: (path: string[]) => boolean = () => true): (record: unknown) => boolean {
  const tree = parseConditions(source);
  for (const field of fieldsOf(tree)) if (!isKnownField(field)) throw new ConditionsError(`Cannot find field '${field.join('/')}'.`);
  return (record) => evaluate(tree, record);
}
