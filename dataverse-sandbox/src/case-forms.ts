/**
 * Case main forms as Dataverse stores them (systemform.formxml), for the seed and for tests: a Description
 * cell whose control can carry a code component per client. The shape follows exported FormXml: a `<control>`
 * with `datafieldname` and `uniqueid`, and under `<controlDescriptions>` a `<controlDescription
 * forControl="{uniqueid}">` holding the platform's default control (`customControl id=`) and one
 * `<customControl formFactor="n" name="publisher_Namespace.Constructor">` per client with the bound column as a
 * parameter (FormXml reference: <controldescriptions>, <controldescription>, <customcontrol>).
 */

/** The transcript control's name as the solution installs it (customizations.xml CustomControl/Name). */
export const TRANSCRIPT_CONTROL_NAME = 'opencx_OpenCX.OpenCXTranscriptControl';

/**
 * Client → formFactor. Microsoft's FormXml reference types `formfactor` as an Integer without listing the
 * values; exported forms use 0 for Web, 1 for Tablet and 2 for Phone (the classic designer's Web, Tablet and
 * Phone options), which is what we write and read.
 */
export const FORM_FACTORS = { web: 0, tablet: 1, phone: 2 } as const;
export type Client = keyof typeof FORM_FACTORS;

/** Classic multiple-lines-of-text control (the platform default for a memo column). */
const TEXT_AREA_CLASSID = '{E0DECE4B-6FC8-4a8f-A065-082708572369}';
const TEXT_BOX_CLASSID = '{4273EDBD-AC1D-40d3-9FB2-095C621B552D}';

export interface CaseFormOptions {
  /** The clients on which the transcript control replaces the Description column's default control. */
  transcriptOn?: readonly Client[];
  /** Which column the control's `transcript` property is bound to (default: description). */
  boundTo?: string;
  /** The placeholder customer id set on the control. */
  placeholderCustomerId?: string;
  /** Leave the Description column off the form altogether. */
  withoutDescription?: boolean;
  /** A GUID without its last two hex digits: the form's tab, section, cells and control ids end 01–05. */
  idBase: string;
}

export function caseFormXml(options: CaseFormOptions): string {
  const id = (n: number) => `{${options.idBase}${String(n).padStart(2, '0')}}`;
  const bound = options.boundTo ?? 'description';
  const descriptionCell = options.withoutDescription
    ? ''
    : `<row><cell id="${id(4)}" rowspan="8"><labels><label description="Description" languagecode="1033" /></labels>` +
      `<control id="description" classid="${TEXT_AREA_CLASSID}" datafieldname="description" disabled="false" uniqueid="${id(5)}" /></cell></row>`;
  const custom = (options.transcriptOn ?? [])
    .map(
      (client) =>
        `<customControl formFactor="${FORM_FACTORS[client]}" name="${TRANSCRIPT_CONTROL_NAME}"><parameters>` +
        `<transcript>${bound}</transcript>` +
        (options.placeholderCustomerId
          ? `<placeholderCustomerId type="SingleLine.Text" static="true">${options.placeholderCustomerId}</placeholderCustomerId>`
          : '') +
        `<defaultCountry type="SingleLine.Text" static="true">US</defaultCountry>` +
        `</parameters></customControl>`,
    )
    .join('');
  const descriptions =
    custom && !options.withoutDescription
      ? `<controlDescriptions><controlDescription forControl="${id(5)}">` +
        `<customControl id="${TEXT_AREA_CLASSID}"><parameters><datafieldname>description</datafieldname></parameters></customControl>` +
        `${custom}</controlDescription></controlDescriptions>`
      : '';
  return (
    `<form headerdensity="HighWithControls"><tabs><tab name="summary" id="${id(1)}" IsUserDefined="0" expanded="true">` +
    `<labels><label description="Summary" languagecode="1033" /></labels><columns><column width="100%"><sections>` +
    `<section name="case_details" id="${id(2)}" showlabel="true" columns="1"><labels><label description="Case details" languagecode="1033" /></labels><rows>` +
    `<row><cell id="${id(3)}"><labels><label description="Case Title" languagecode="1033" /></labels>` +
    `<control id="title" classid="${TEXT_BOX_CLASSID}" datafieldname="title" disabled="false" /></cell></row>` +
    descriptionCell +
    `</rows></section></sections></column></columns></tab></tabs>${descriptions}</form>`
  );
}
