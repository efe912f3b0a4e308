/**
 * The Case forms check of `verify`: reads the Case table's main forms and reports, per form, whether the
 * OpenCX transcript control is bound to the Description column on web, tablet and phone. A form without it is a
 * warning with the fix, never a failure: an admin may leave a form nobody opens as it is.
 */
import { DataverseRequestError, type DataverseClient } from '../dataverse/client.js';
import { messages } from '../messages.js';
import type { CaseFormResult, CaseFormStatus } from './case-form-result.js';
import { CLIENTS, placementIn } from './form-xml.js';
import type { CheckResult } from './report.js';
import { missingPrivilegeIn, RELAY_ROLE_NAME } from './role.js';

/** The default case form of Customer Service (now Copilot Service) workspace ("Enhanced case management in multisession apps"). */
export const MULTISESSION_FORM = 'Case for Multisession experience';

/**
 * SystemForm table reference: `objecttypecode` is the table's logical name (EntityName), `type` 2 is Main,
 * `formactivationstate` 1 is Active; form definitions are read like any table (Query data using the Web API,
 * $select and $filter). FormXml holds the layout, and with it the code components bound to each column.
 * Assumption (wire ledger, systemforms.case-main): no page shows this filter; an EntityName column compares
 * as the logical name, a string. Safe: this check only ever warns, and a different reading shows as no forms.
 */
export const CASE_FORMS_QUERY = `systemforms?$select=formid,name,formxml,formactivationstate&$filter=${encodeURIComponent(
  "objecttypecode eq 'incident' and type eq 2",
)}`;

interface FormRow {
  formid: string;
  name?: string;
  formxml?: string;
  formactivationstate?: number;
}

const m = messages.verify.forms;

export function resultOf(row: FormRow): CaseFormResult {
  const name = row.name ?? row.formid;
  const base = {
    id: row.formid,
    name,
    multisession: name.trim().toLowerCase() === MULTISESSION_FORM.toLowerCase(),
  };
  // SystemForm: FormActivationState 0 Inactive ("Only main forms can be deactivated"); reps cannot open it.
  if (row.formactivationstate === 0) return { ...base, status: 'inactive', clients: [] };
  const placement = placementIn(row.formxml ?? '');
  if (!placement.readable) return { ...base, status: 'unreadable', clients: [] };
  const { clients } = placement;
  const status: CaseFormStatus = !placement.description
    ? 'no-description'
    : clients.length === CLIENTS.length
      ? 'found'
      : clients.length
        ? 'partial'
        : 'missing';
  return {
    ...base,
    status,
    clients,
    ...(placement.boundElsewhere ? { boundTo: placement.boundElsewhere } : {}),
  };
}

function line(form: CaseFormResult): string {
  const what =
    form.status === 'found'
      ? m.found
      : form.status === 'partial'
        ? m.partial(
            form.clients,
            CLIENTS.filter((client) => !form.clients.includes(client)),
          )
        : form.status === 'no-description'
          ? m.noDescription
          : form.status === 'inactive'
            ? m.inactive
            : form.status === 'unreadable'
              ? m.unreadable
              : form.boundTo
                ? m.boundElsewhere(form.boundTo)
                : m.notOnForm;
  return `${m.form(form.name, form.id, form.multisession)}: ${what}`;
}

/** The multisession form first (reps see it by default), then the others by name. */
function ordered(forms: CaseFormResult[]): CaseFormResult[] {
  return [...forms].sort(
    (a, b) => Number(b.multisession) - Number(a.multisession) || a.name.localeCompare(b.name),
  );
}

export async function checkCaseForms(client: DataverseClient): Promise<CheckResult> {
  const base = { id: 'forms' as const, title: messages.verify.titles.forms };
  let rows: FormRow[];
  try {
    rows = (await client.get<{ value: FormRow[] }>(CASE_FORMS_QUERY)).value;
  } catch (error) {
    if (!(error instanceof DataverseRequestError)) throw error;
    const f = error.failure;
    const privilege = f.code === '0x80040220' ? missingPrivilegeIn(f.message) : undefined;
    return {
      ...base,
      status: 'warn',
      code: f.code || String(f.httpStatus),
      summary: m.unreadableCheck(f.httpStatus, f.code, f.reason),
      fix: privilege ? m.missingPrivilegeFix(privilege, RELAY_ROLE_NAME) : m.otherFix,
    };
  }
  const forms = ordered(rows.map(resultOf));
  const active = forms.filter((form) => form.status !== 'inactive');
  if (!active.length) return { ...base, status: 'warn', summary: m.none, fix: m.noneFix, forms };
  const without = active.filter((form) => form.status !== 'found');
  const details = [
    ...forms.map(line),
    ...(forms.some((form) => form.multisession) ? [] : [m.noMultisession]),
  ];
  if (!without.length) return { ...base, status: 'pass', summary: m.passed(active.length), details, forms };
  return {
    ...base,
    status: 'warn',
    summary: m.missing(without.length, active.length),
    details,
    fix: m.fix,
    forms,
  };
}
