-- The registry: projects and everything their workflow produces.
-- Artifact references are stored as jsonb objects {uri, sha256, sizeBytes, mediaType}.
-- A `seq` column orders rows by insertion: timestamps can tie, because PGlite's
-- clock has millisecond resolution and now() is fixed for a whole transaction.
-- This file runs unchanged on Postgres 15 and on PGlite.

create table projects (
  seq bigint generated always as identity unique,
  id text primary key,
  name text not null,
  workflow_id text not null unique,
  spec jsonb not null,
  spec_sha256 text not null,
  owner text not null,
  stage text not null default 'created',
  -- The workflow's latest status snapshot, null before the first one.
  status jsonb,
  error jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- The id is the SHA-256 of the canonical typed data set, so it is unique across projects.
create table dataset_versions (
  id text primary key,
  project_id text not null references projects (id),
  source_path text not null,
  source_sha256 text not null,
  row_count integer not null check (row_count >= 0),
  columns jsonb not null,
  artifacts jsonb not null,
  profile_summary jsonb not null,
  created_at timestamptz not null default now()
);

create index dataset_versions_project on dataset_versions (project_id);

-- Trial ids are unique within a project.
create table trials (
  seq bigint generated always as identity unique,
  project_id text not null references projects (id),
  id text not null,
  dataset_version_id text not null references dataset_versions (id),
  params jsonb not null,
  status text not null check (status in ('running', 'completed', 'failed')),
  epochs integer check (epochs >= 0),
  queue text,
  validation_metrics jsonb,
  model jsonb,
  error text,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  primary key (project_id, id),
  check ((status = 'running') = (finished_at is null))
);

create index trials_project on trials (project_id, seq);

create table model_versions (
  id text primary key,
  project_id text not null references projects (id),
  trial_id text not null,
  version integer not null check (version > 0),
  stage text not null
    check (stage in ('candidate', 'approved', 'rejected', 'expired', 'champion', 'archived')),
  validation_metrics jsonb not null,
  test_metrics jsonb not null,
  gates jsonb not null,
  model jsonb not null,
  onnx jsonb,
  created_at timestamptz not null default now(),
  unique (project_id, version),
  unique (project_id, trial_id),
  foreign key (project_id, trial_id) references trials (project_id, id)
);

create table approvals (
  seq bigint generated always as identity unique,
  id text primary key,
  project_id text not null references projects (id),
  model_version_id text not null references model_versions (id),
  decision text not null check (decision in ('approve', 'reject', 'expire')),
  approver text not null,
  comment text not null,
  channel text not null check (channel in ('update', 'signal', 'timer')),
  decided_at timestamptz not null default now()
);

create index approvals_project on approvals (project_id);

create table deployments (
  id text primary key,
  project_id text not null references projects (id),
  model_version_id text not null references model_versions (id),
  onnx jsonb not null,
  preprocessor jsonb not null,
  threshold double precision not null check (threshold >= 0 and threshold <= 1),
  status text not null check (status in ('active', 'retired')),
  deployed_at timestamptz not null default now(),
  retired_at timestamptz,
  check ((status = 'retired') = (retired_at is not null))
);

-- At most one active deployment per project.
create unique index deployments_one_active on deployments (project_id) where status = 'active';

create table predictions (
  id bigserial primary key,
  project_id text not null references projects (id),
  deployment_id text not null references deployments (id),
  model_version_id text not null references model_versions (id),
  inputs jsonb not null,
  probability double precision not null check (probability >= 0 and probability <= 1),
  label smallint not null check (label in (0, 1)),
  latency_ms double precision not null check (latency_ms >= 0),
  created_at timestamptz not null default now()
);

create index predictions_deployment_created on predictions (deployment_id, created_at);

create table monitoring_runs (
  seq bigint generated always as identity unique,
  id text primary key,
  project_id text not null references projects (id),
  deployment_id text not null references deployments (id),
  predictions integer not null check (predictions >= 0),
  drift jsonb not null,
  max_psi double precision,
  alerts jsonb not null,
  created_at timestamptz not null default now()
);

create index monitoring_runs_project on monitoring_runs (project_id, seq);

create table alerts (
  seq bigint generated always as identity unique,
  id text primary key,
  project_id text not null references projects (id),
  kind text not null,
  severity text not null check (severity in ('info', 'warning', 'critical')),
  message text not null,
  details jsonb,
  created_at timestamptz not null default now()
);

create index alerts_project on alerts (project_id, seq);

create table reports (
  seq bigint generated always as identity unique,
  id text primary key,
  project_id text not null references projects (id),
  json_artifact jsonb not null,
  html_artifact jsonb not null,
  created_at timestamptz not null default now()
);

create index reports_project on reports (project_id, seq);

-- Entries without a project record actions on the installation as a whole.
-- project_id has no foreign key: the history outlives a deleted project.
create table audit_log (
  id bigserial primary key,
  project_id text,
  actor text not null,
  action text not null,
  details jsonb,
  created_at timestamptz not null default now()
);

create index audit_log_project on audit_log (project_id, id);

create function audit_log_reject_change() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only: % is not allowed', tg_op
    using errcode = 'restrict_violation';
end;
$$;

create trigger audit_log_no_update_or_delete
  before update or delete on audit_log
  for each row execute function audit_log_reject_change();

create trigger audit_log_no_truncate
  before truncate on audit_log
  for each statement execute function audit_log_reject_change();
