/**
 * One Case main form as `verify --json` reports it (admin/case-forms.ts decides it, admin/report.ts carries
 * it): its own module, so that neither of those imports the other's types.
 */
import type { Client } from './form-xml.js';

export type CaseFormStatus = 'found' | 'partial' | 'missing' | 'no-description' | 'inactive' | 'unreadable';

export interface CaseFormResult {
  id: string;
  name: string;
  /** The form reps open in Copilot Service (Customer Service) workspace by default. */
  multisession: boolean;
  status: CaseFormStatus;
  /** The clients on which the control is bound to Description. */
  clients: Client[];
  /** The control is on the form but bound to another column. */
  boundTo?: string;
}
