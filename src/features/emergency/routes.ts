import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ValidationError } from '../../core/errors.ts';
import { tenantParams } from '../../http/schemas.ts';
import { jobSchema } from '../bulk/schemas.ts';
import type { AppDeps } from '../kernel/deps.ts';
import { actorOf, requestInfo } from '../kernel/request-info.ts';
import { numberParams, numberSchema } from '../numbers/schemas.ts';
import { setNumberLocation } from '../teams/number-location.ts';
import { createEmergencyAddress, createEmergencyLocation, importEmergencyLocations, listEmergencyLocations, listLocationDefaults, refreshEmergencyLocations, setLocationDefault } from './emergency-locations.ts';
import { emergencyReport, fixEmergencyLocations, readNumberLocationsFromTeams } from './emergency-report.ts';
import { defaultParams, defaultsSchema, emergencyListSchema, emergencyLocationSchema, fixBody, locationRefBody, newAddressBody, newLocationBody, reportSchema } from './schemas.ts';

export function emergencyRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['emergency'];
  const base = '/api/tenants/:tenantId/emergency';

  r.get(`${base}/locations`, { config: { access: 'viewer' }, schema: { tags, summary: "The tenant's emergency locations (civic address + place) as last read, with the source and time of the last refresh", params: tenantParams, response: { 200: emergencyListSchema } } }, async (request) =>
    listEmergencyLocations(deps, actorOf(request), request.params.tenantId),
  );
  r.post(`${base}/locations/refresh`, { config: { access: 'operator' }, schema: { tags, summary: 'Read every address and location from Teams through the PowerShell bridge (409 without it)', params: tenantParams, response: { 200: emergencyListSchema } } }, async (request) =>
    refreshEmergencyLocations(deps, actorOf(request), request.params.tenantId, requestInfo(request)),
  );
  r.post(
    `${base}/locations/import`,
    {
      config: { access: 'operator' },
      schema: { tags, summary: 'Import locations from a CSV export (body: text/csv; columns in docs/user-guide.md)', params: tenantParams, querystring: z.object({ fileName: z.string().max(200).optional() }), consumes: ['text/csv'], response: { 200: emergencyListSchema.extend({ imported: z.number() }) } },
    },
    async (request) => {
      const body = request.body as Readable | undefined;
      if (!body || typeof body.pipe !== 'function') throw new ValidationError('Send the CSV file as the request body with Content-Type: text/csv.', [{ field: 'file', message: 'Missing CSV body' }]);
      return importEmergencyLocations(deps, actorOf(request), request.params.tenantId, body, requestInfo(request), { fileName: request.query.fileName });
    },
  );
  r.post(
    `${base}/addresses`,
    { config: { access: 'operator' }, schema: { tags, summary: 'Create a civic address in Teams (New-CsOnlineLisCivicAddress) and optionally a place there; needs the PowerShell bridge', params: tenantParams, body: newAddressBody, response: { 201: z.object({ civicAddressId: z.string(), locations: z.array(emergencyLocationSchema) }) } } },
    async (request, reply) => reply.status(201).send(await createEmergencyAddress(deps, actorOf(request), request.params.tenantId, { place: request.body.place, CompanyName: request.body.companyName, CountryOrRegion: request.body.countryOrRegion.toUpperCase(), Description: request.body.description, HouseNumber: request.body.houseNumber, StreetName: request.body.streetName, City: request.body.city, StateOrProvince: request.body.stateOrProvince, PostalCode: request.body.postalCode }, requestInfo(request))),
  );
  r.post(
    `${base}/locations`,
    { config: { access: 'operator' }, schema: { tags, summary: 'Add a place to an address in Teams (New-CsOnlineLisLocation); needs the PowerShell bridge', params: tenantParams, body: newLocationBody, response: { 201: emergencyLocationSchema } } },
    async (request, reply) => reply.status(201).send(await createEmergencyLocation(deps, actorOf(request), request.params.tenantId, request.body, requestInfo(request))),
  );

  r.get(`${base}/defaults`, { config: { access: 'viewer' }, schema: { tags, summary: 'The default emergency location of each site and range', params: tenantParams, response: { 200: defaultsSchema } } }, async (request) =>
    listLocationDefaults(deps, actorOf(request), request.params.tenantId),
  );
  r.put(
    `${base}/defaults/:kind/:id`,
    { config: { access: 'operator' }, schema: { tags, summary: "Set (or clear, with null) a site's or range's default emergency location", params: defaultParams, body: locationRefBody.pick({ locationId: true }), response: { 200: z.object({ id: z.string(), name: z.string(), defaultLocationId: z.string().nullable() }) } } },
    async (request) => setLocationDefault(deps, actorOf(request), request.params.tenantId, request.params.kind === 'sites' ? { siteId: request.params.id } : { rangeId: request.params.id }, request.body.locationId, requestInfo(request)),
  );

  r.put(
    '/api/tenants/:tenantId/numbers/:numberId/emergency-location',
    {
      config: { access: 'operator' },
      schema: { tags, summary: "Set (or clear, with null) one number's emergency location: Graph updateNumber when it is assigned in Teams, else kept for its next assignment", params: numberParams, body: locationRefBody, response: { 200: z.object({ number: numberSchema, appliedInTeams: z.boolean() }) } },
    },
    async (request) => setNumberLocation(deps, actorOf(request), request.params.tenantId, request.params.numberId, request.body.locationId, requestInfo(request), { ticketId: request.body.ticketId }),
  );

  r.get(`${base}/report`, { config: { access: 'viewer' }, schema: { tags, summary: 'Numbers assigned without an emergency location, and numbers whose location differs from their range/site default', params: tenantParams, response: { 200: reportSchema } } }, async (request) =>
    emergencyReport(deps, actorOf(request), request.params.tenantId),
  );
  r.post(`${base}/report/read-teams`, { config: { access: 'operator' }, schema: { tags, summary: "Read every number's locationId from Teams into the inventory, then report", params: tenantParams, response: { 200: reportSchema.extend({ changed: z.number() }) } } }, async (request) =>
    readNumberLocationsFromTeams(deps, actorOf(request), request.params.tenantId, requestInfo(request)),
  );
  r.post(
    `${base}/report/fix`,
    { config: { access: 'operator' }, schema: { tags, summary: 'Give every fixable number (or those listed) its default location, as a bulk job that starts at once', params: tenantParams, body: fixBody, response: { 202: z.object({ job: jobSchema.nullable(), rows: z.number() }) } } },
    async (request, reply) => reply.status(202).send(await fixEmergencyLocations(deps, actorOf(request), request.params.tenantId, requestInfo(request), request.body)),
  );
}
