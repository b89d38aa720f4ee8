import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** A property type as the CloudFormation resource specification describes it. */
export type SpecType =
  | { type: 'string' | 'boolean' | 'integer' | 'number' | 'json' | 'tag' | 'date-time' | 'null' }
  | { type: 'array' | 'map'; element: SpecType }
  | { type: 'ref'; reference: { $ref: string } }
  | { type: 'union'; types: SpecType[] };

export interface SpecProperty {
  type: SpecType;
  required?: boolean;
  previousTypes?: SpecType[];
}

export interface SpecTypeDefinition {
  name: string;
  properties: Record<string, SpecProperty>;
}

export interface SpecResource {
  cloudFormationType: string;
  properties: Record<string, SpecProperty>;
  attributes: Record<string, unknown>;
}

/** The CloudFormation resource specification, indexed for lookups. */
export interface CloudFormationSpec {
  resources: Map<string, SpecResource>;
  typeDefinitions: Map<string, SpecTypeDefinition>;
}

interface SpecDatabase {
  schema: {
    resource: { entities: Array<SpecResource & { $id: string }> };
    typeDefinition: { entities: Array<SpecTypeDefinition & { $id: string }> };
  };
}

let cached: CloudFormationSpec | undefined;

/**
 * Loads the current CloudFormation resource specification shipped by `@aws-cdk/aws-service-spec`
 * (every resource type, property, nested type and attribute). Parsed once per process.
 *
 * @example
 * const spec = loadCloudFormationSpec();
 * spec.resources.get('AWS::RDS::DBProxy')?.properties.Auth;
 */
export function loadCloudFormationSpec(): CloudFormationSpec {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('@aws-cdk/aws-service-spec/package.json'));
  const db = JSON.parse(gunzipSync(readFileSync(join(packageDir, 'db.json.gz'))).toString('utf8')) as SpecDatabase;
  cached = {
    resources: new Map(db.schema.resource.entities.map((r) => [r.cloudFormationType, r])),
    typeDefinitions: new Map(db.schema.typeDefinition.entities.map((t) => [t.$id, t])),
  };
  return cached;
}
