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
  if (route.schema instanceof z.ZodType) {
    let compiled: ((data: unknown) => string) | undefined;
    try {
      compiled = fastJson(z.toJSONSchema(route.schema, { io: 'output', unrepresentable: 'throw', target: 'draft-7' }) as Parameters<typeof fastJson>[0]);
    } catch {
      compiled = undefined;
    }
    if (compiled) return compiled;
  }
  return zodSerializerCompiler(route);
};
