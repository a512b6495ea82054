import type { Generated } from 'kysely'

export interface AgencyTable {
  id: string
  name_vi: string
  name_en: string
  name_fr: string
  description_vi: string
  description_en: string
  description_fr: string
  level: string
  website: string | null
  source_note: string | null
}

export interface LifeEventTable {
  id: string
  name_vi: string
  name_en: string
  name_fr: string
  description_vi: string
  description_en: string
  description_fr: string
  position: number
}

export interface ServiceTable {
  id: string
  agency_id: string
  code: string | null
  name_vi: string
  name_en: string
  name_fr: string
  description_vi: string
  description_en: string
  description_fr: string
  /** JSON: [{ vi, en, fr }] */
  documents: string
  /** VND; null when the fee depends on the case (see fee_note) */
  fee_vnd: number | null
  /** JSON: { vi, en, fr } or null */
  fee_note: string | null
  processing_days: number | null
  online_level: 'full' | 'partial'
  /** comma-separated: citizen, business */
  applicants: string
  popularity: number
  legal_basis: string | null
  source_note: string | null
  /** JSON of the service's form (server/domain/forms/formSchema.ts); null: no online form */
  form: string | null
  updated_at: string
  /** active: listed and open for applications; suspended or retired: neither */
  status: 'active' | 'suspended' | 'retired'
  /** the version in force (service_versions); 1 for a service from a manifest */
  version: number
  /** manifest: from services/<agency>/manifest.json; agency: registered by the agency */
  origin: 'manifest' | 'agency'
  /** JSON: the result document's title and text ({ title: { vi, en?, fr? }, text: … }) or null */
  result_template: string | null
}

export interface ServiceVersionTable {
  service_id: string
  version: number
  agency_id: string
  state: 'draft' | 'in_review' | 'approved' | 'rejected'
  /** JSON: the service in the manifest format, with its form */
  content: string
  created_by: string
  created_at: string
  updated_at: string
  submitted_by: string | null
  submitted_at: string | null
  reviewed_by: string | null
  reviewed_at: string | null
  review_note: string | null
}

export interface ServiceLifeEventTable {
  service_id: string
  life_event_id: string
}

/** Folded (lower-case, no diacritics, đ → d) text that search matches against. */
export interface SearchMissTable {
  query: string
  count: number
  first_at: string
  last_at: string
}

/** An applicant's answer to "how satisfied are you" after a decision; score null: they chose not to answer. */
export interface SatisfactionTable {
  application_id: string
  service_id: string
  agency_id: string
  score: number | null
  comment: string | null
  answered_at: string
}

export interface ServiceSearchTable {
  service_id: string
  title_vi: string
  title_en: string
  title_fr: string
  body: string
}

export interface CatalogueSeedTable {
  source: string
  checksum: string
  loaded_at: string
}

export interface UserTable {
  id: string
  email: string | null
  email_verified_at: string | null
  /** full_name without case or tone marks, for staff searches */
  folded_name: string | null
  password_hash: string | null
  role: string
  agency_id: string | null
  full_name: string | null
  failed_sign_ins: number
  locked_until: string | null
  created_at: string
  updated_at: string
  birthdate: string | null
  gender: 'male' | 'female' | null
  citizen_id: string | null
  address: string | null
  phone: string | null
  /** the national identity provider's subject, once linked */
  national_sub: string | null
  /** JSON array of the profile fields the national identity provider vouched for */
  verified_fields: string | null
  assurance_level: number | null
}

export interface EnterpriseTable {
  code: string
  name: string
  name_folded: string
  representative_citizen_id: string
  representative_name: string
  address: string
  status: 'active' | 'suspended' | 'dissolved'
  registered_on: string
}

export interface RepresentationTable {
  user_id: string
  enterprise_code: string
  enterprise_name: string
  linked_at: string
}

export interface SessionTable {
  sid: string
  data: string
  expires_at: number
}

export interface EmailTokenTable {
  token_hash: string
  user_id: string
  purpose: 'verify-email' | 'reset-password' | 'add-email' | 'data-export'
  /** for add-email: the address the link was sent to */
  email: string | null
  expires_at: string
  used_at: string | null
  created_at: string
}

export interface CounterTable {
  name: string
  value: number
}

export interface RateLimitTable {
  key: string
  hits: number
  reset_at: number
}

export interface AuditEventTable {
  id: Generated<number>
  at: string
  action: string
  actor_id: string | null
  subject_id: string | null
  ip: string | null
  request_id: string | null
  detail: string | null
  on_behalf_of: string | null
  /** the application the entry concerns (detail.reference), for the auditor's search */
  reference: string | null
  /** the agency the entry concerns (detail.agency) */
  agency_id: string | null
}

/** An entry's place in the Merkle log and its leaf hash, written once by the sequencer. */
export interface AuditPlaceTable {
  leaf_index: number
  event_id: number
  leaf_hash: string
}

/** Entries the sequencer has still to place: filled by a trigger on every insert into audit_events. */
export interface AuditUnplacedTable {
  event_id: number
}

export interface RequestLogTable {
  id: Generated<number>
  at: string
  request_id: string
  method: string
  /** the route's pattern (/agency/applications/:ref), when one matched */
  route: string | null
  path: string
  /** JSON of the named, safe query parameters only */
  query: string | null
  status: number
  duration_ms: number
  user_id: string | null
  role: string | null
  on_behalf_of: string | null
  api_key_id: string | null
  agency_id: string | null
  ip: string | null
  user_agent: string | null
}

export interface AuditLogStateTable {
  id: number
  size: number
  frontier: string
  updated_at: string
}

export interface AuditCheckpointTable {
  size: number
  root_hash: string
  at: string
  key_id: string
  note: string
}

export interface AuditKeyTable {
  key_id: string
  name: string
  public_key: string
  first_used_at: string
}

export type ApplicationStatus = 'draft' | 'submitted' | 'received' | 'in_review' | 'info_requested' | 'approved' | 'rejected' | 'withdrawn'

export interface ApplicationTable {
  id: string
  reference: string
  service_id: string
  agency_id: string
  applicant_id: string
  on_behalf_of: string | null
  on_behalf_of_name: string | null
  status: ApplicationStatus
  /** JSON: answers by field id */
  answers: string
  /** JSON: the profile fields the service declared, as they were at submission */
  profile: string | null
  current_page: string | null
  applicant_birthdate: string | null
  status_code_hash: string | null
  assurance_level: number | null
  agency_reference: string | null
  created_at: string
  updated_at: string
  submitted_at: string | null
  decided_at: string | null
  /** the service's version when the application was started */
  service_version: number | null
  /** the day (Vietnam) the decision is due: receipt + processing working days, the stopped clock's days added */
  due_on: string | null
  /** the day the clock stopped (information requested); null while it runs */
  clock_stopped_on: string | null
  /** the officer of the agency who has the application in hand */
  assigned_to: string | null
}

export interface ResultTable {
  id: string
  application_id: string
  reference: string
  code: string
  service_id: string
  agency_id: string
  holder_name: string
  issued_at: string
  issued_by: string
  issuer_name: string | null
  key_id: string
  token: string
  content_hash: string
  pdf_sha256: string
  source: 'portal' | 'agency'
  agency_pdf_sha256: string | null
  revoked_at: string | null
  revoked_by: string | null
  revoke_reason: string | null
  checks: number
}

export interface ApplicationEventTable {
  id: Generated<number>
  application_id: string
  at: string
  actor_id: string | null
  actor_kind: 'citizen' | 'officer' | 'agency' | 'system'
  from_status: ApplicationStatus | null
  to_status: ApplicationStatus
  /** shown to the applicant */
  message: string | null
  /** for the agency only */
  note: string | null
  /** null for a change of status; 'apology' for a late application's apology with a new date */
  kind: string | null
  /** the new due date an apology gave */
  new_due_on: string | null
}

export interface DocumentTable {
  id: string
  application_id: string
  field_id: string
  sha256: string
  size: number
  content_type: string
  filename: string
  uploaded_by: string
  created_at: string
}

/** The columns of a queue worked with leases (server/db/outboxRepository.ts, claimDue). */
interface QueueColumns {
  id: string
  attempts: number
  /** epoch ms */
  next_attempt_at: number
  lease_owner: string | null
  lease_until: number | null
  last_error: string | null
  created_at: string
}

export interface OutboxTable extends QueueColumns {
  application_id: string
  agency_id: string
  status: 'pending' | 'delivered' | 'failed' | 'dead' | 'disabled'
  delivered_at: string | null
}

export interface MailOutboxTable extends QueueColumns {
  user_id: string
  application_id: string | null
  to_address: string
  subject: string
  body: string
  /** failed: the mail server refused it for good (5xx); dead: out of attempts */
  status: 'pending' | 'sent' | 'failed' | 'dead'
  sent_at: string | null
}

export interface DeliveryTable {
  id: Generated<number>
  outbox_id: string
  application_id: string
  agency_id: string
  attempt: number
  at: string
  target: string
  outcome: 'accepted' | 'retry' | 'final' | 'dead'
  status_code: number | null
  latency_ms: number
  error: string | null
}

export interface AgencyEndpointTable {
  agency_id: string
  /** when and why the endpoint was suspended; null while it may be used */
  disabled_at: string | null
  reason: string | null
  url: string | null
  /** the Standard Webhooks secret the portal signs with ("whsec_" + base64) */
  secret: string | null
  /** the secret before the last rotation, signed with as well until previous_secret_until */
  previous_secret: string | null
  previous_secret_until: string | null
  /** settings: imported from AGENCY_ENDPOINTS at start; agency: registered by the agency */
  origin: 'settings' | 'agency' | null
  verified_at: string | null
  registered_by: string | null
  registered_at: string | null
  consecutive_failures: number
  failing_since: string | null
  last_error: string | null
  last_error_at: string | null
  last_success_at: string | null
}

export interface ApiKeyTable {
  id: string
  agency_id: string
  name: string
  environment: 'live' | 'test'
  /** space-separated */
  scopes: string
  /** hex SHA-256 of the secret part */
  secret_hash: string
  /** comma-separated addresses or CIDR ranges; null: any address */
  ip_allowlist: string | null
  created_by: string
  created_at: string
  expires_at: string
  revoked_at: string | null
  revoked_by: string | null
  rotated_to: string | null
  last_used_at: string | null
  last_used_ip: string | null
  /** comma-separated days-before-expiry whose notice was sent */
  notices_sent: string
}

export interface EndpointHostTable {
  host: string
  port: number
  allowed_by: string
  allowed_at: string
  note: string | null
}

export interface IdempotencyKeyTable {
  agency_id: string
  key: string
  request_hash: string
  /** null while the first request is still running */
  status_code: number | null
  response: string | null
  created_at: number
}

export interface NotificationTable {
  id: Generated<number>
  user_id: string
  application_id: string
  at: string
  status: ApplicationStatus
  message: string | null
  read_at: string | null
}

export interface Database {
  agencies: AgencyTable
  life_events: LifeEventTable
  services: ServiceTable
  service_life_events: ServiceLifeEventTable
  search_documents: ServiceSearchTable
  search_misses: SearchMissTable
  satisfaction: SatisfactionTable
  service_versions: ServiceVersionTable
  catalogue_seeds: CatalogueSeedTable
  users: UserTable
  sessions: SessionTable
  email_tokens: EmailTokenTable
  rate_limits: RateLimitTable
  counters: CounterTable
  audit_events: AuditEventTable
  audit_places: AuditPlaceTable
  audit_unplaced: AuditUnplacedTable
  request_log: RequestLogTable
  audit_log_state: AuditLogStateTable
  audit_checkpoints: AuditCheckpointTable
  audit_keys: AuditKeyTable
  enterprises: EnterpriseTable
  representations: RepresentationTable
  applications: ApplicationTable
  application_events: ApplicationEventTable
  results: ResultTable
  documents: DocumentTable
  outbox: OutboxTable
  deliveries: DeliveryTable
  notifications: NotificationTable
  agency_endpoints: AgencyEndpointTable
  api_keys: ApiKeyTable
  endpoint_hosts: EndpointHostTable
  idempotency_keys: IdempotencyKeyTable
  mail_outbox: MailOutboxTable
}

export type Dialect = 'sqlite' | 'postgres'
