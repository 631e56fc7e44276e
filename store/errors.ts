/**
 * Errors raised by the store. Each class has a stable `code` that callers
 * and workflows can match on, and carries the ids involved as fields.
 */

/** A project with this id already exists. */
export class ProjectExistsError extends Error {
  readonly code = 'PROJECT_EXISTS';

  constructor(readonly projectId: string) {
    super(`project "${projectId}" already exists; choose another id or open the existing project`);
    this.name = 'ProjectExistsError';
  }
}

/** A registry row that an update or a lookup requires is missing. */
export class NotFoundError extends Error {
  readonly code = 'NOT_FOUND';

  constructor(
    /** Kind of record looked up, in words, such as `model version`. */
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} "${id}" not found`);
    this.name = 'NotFoundError';
  }
}

/** No artifact with this hash is in the store. */
export class ArtifactNotFoundError extends Error {
  readonly code = 'ARTIFACT_NOT_FOUND';

  constructor(
    readonly sha256: string,
    readonly path: string,
  ) {
    super(`artifact sha256:${sha256} not found at ${path}`);
    this.name = 'ArtifactNotFoundError';
  }
}

/** The bytes stored for an artifact no longer hash to its name, so the file was altered. */
export class ArtifactIntegrityError extends Error {
  readonly code = 'ARTIFACT_INTEGRITY';

  constructor(
    readonly sha256: string,
    readonly actualSha256: string,
    readonly path: string,
  ) {
    super(
      `artifact sha256:${sha256} is corrupt: the file ${path} hashes to ${actualSha256}; ` +
        'delete the file and produce the artifact again',
    );
    this.name = 'ArtifactIntegrityError';
  }
}

/** An artifact URI or hash that is not in the `artifact://sha256/<64 hex>` form. */
export class InvalidArtifactRefError extends Error {
  readonly code = 'INVALID_ARTIFACT_REF';

  constructor(readonly value: string) {
    super(`invalid artifact reference "${value}": expected artifact://sha256/ and 64 lowercase hex digits`);
    this.name = 'InvalidArtifactRefError';
  }
}

/** A failed SQL statement or connection, with the Postgres error code as `sqlState` when there is one. */
export class DatabaseError extends Error {
  readonly code = 'DATABASE_ERROR';

  constructor(
    /** The statement's verb and table, such as `insert into projects`. */
    readonly operation: string,
    message: string,
    readonly sqlState: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(`database ${operation} failed: ${message}${sqlState ? ` (SQLSTATE ${sqlState})` : ''}`, options);
    this.name = 'DatabaseError';
  }
}

/** A migration file changed after it was applied, so the schema no longer matches the files. */
export class MigrationChecksumError extends Error {
  readonly code = 'MIGRATION_CHECKSUM_MISMATCH';

  constructor(
    readonly migration: string,
    readonly appliedSha256: string,
    readonly fileSha256: string,
  ) {
    super(
      `migration ${migration} changed after it was applied (applied sha256 ${appliedSha256}, ` +
        `file sha256 ${fileSha256}); restore the original file and put the change in a new numbered migration`,
    );
    this.name = 'MigrationChecksumError';
  }
}
