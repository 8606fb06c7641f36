import fastJson from 'fast-json-stringify';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

/**
 * Answers are written by a serializer compiled from the route's response schema
 * (fast-json-stringify, which Fastify itself uses for JSON schemas): it knows each field's type in
 * advance and writes only the fields the schema names, instead of zod checking every value of
 * every row and JSON.stringify walking the result again. A schema JSON Schema cannot express
 * (a transform, a date object) keeps the zod serializer.
 */
export const responseSerializerCompiler: typeof zodSerializerCompiler = (route) => {
  // Compiled at a route's first answer, not at start: Fastify asks for every route's serializer
  // before listening, and compiling ~200 of them was a third of the start's HTTP phase (P4, #16).
  let serialize: ((data: unknown) => string) | undefined;
  return (data: unknown) => (serialize ??= compileSerializer(route))(data);
};

function compileSerializer(route: Parameters<typeof zodSerializerCompiler>[0]): (data: unknown) => string {
  if (route.schema instanceof z.ZodType) {
    try {
      return fastJson(z.toJSONSchema(route.schema, { io: 'output', unrepresentable: 'throw', target: 'draft-7' }) as Parameters<typeof fastJson>[0]);
    } catch {
      // not expressible in JSON Schema: the zod serializer below
    }
  }
  return zodSerializerCompiler(route) as (data: unknown) => string;
}
