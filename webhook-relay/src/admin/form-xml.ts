/**
 * Reads one Case form's FormXml (systemform.formxml) and says on which clients the transcript control
 * replaces the Description column. Pure: no Dataverse access.
 *
 * Shape (FormXml reference: <control>, <controldescriptions>, <controldescription>, <customcontrol>): a field is a
 * `<control datafieldname="description" uniqueid="{guid}">` in a cell; a code component on it is a
 * `<customControl formFactor="n" name="publisher_Namespace.Constructor">` under the
 * `<controlDescription forControl="{guid}">` that names that uniqueid, with the bound property as a parameter
 * (`<transcript>description</transcript>`). Microsoft shows this shape in "Customization considerations for the
 * work order form" (Field Service, section "Add Bing Maps to the work order form": `<controlDescription
 * forControl>` naming the control's `uniqueid`, one `<customControl formFactor="0|1|2" name=…>` each). Its FormXml
 * reference spells the elements in lower case and exported forms in camel case, so names are compared without
 * regard to case (the safer reading).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** The transcript control's name as the solution installs it (customizations.xml `CustomControl/Name`). */
export const TRANSCRIPT_CONTROL_NAME = 'opencx_OpenCX.OpenCXTranscriptControl';
/** The manifest property bound to the column (ControlManifest.Input.xml `property name="transcript" usage="bound"`). */
const BOUND_PROPERTY = 'transcript';
const DESCRIPTION = 'description';

/**
 * formFactor → client. The FormXml reference (<customcontrol>) types `formfactor` as an Integer "the kind of
 * device" without listing the values, and Microsoft's examples write all three (0, 1, 2); exported forms use 0
 * for Web, 1 for Tablet, 2 for Phone. The docs being silent on the mapping, the check warns whenever any of the
 * three is missing, so a wrong reading could only name the wrong client, never hide a missing one.
 */
const FORM_FACTORS: Record<string, Client> = { '0': 'web', '1': 'tablet', '2': 'phone' };
export const CLIENTS = ['web', 'tablet', 'phone'] as const;
export type Client = (typeof CLIENTS)[number];

export interface TranscriptPlacement {
  /** False when the XML could not be read at all. */
  readable: boolean;
  /** The Description column is on the form. */
  description: boolean;
  /** The clients on which the control is bound to Description. */
  clients: Client[];
  /** The control is on the form but bound to another column (its logical name). */
  boundElsewhere?: string;
}

type XmlNode = { [key: string]: XmlValue[] | string | undefined };
type XmlValue = XmlNode | string;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Every element is an array, so one walk handles one or many.
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
  parseTagValue: false,
  parseAttributeValue: false,
  // FormXml comes from the org, where anyone who can customise a form can write it. Entities are left as
  // written: a DOCTYPE's entities are never expanded (no "billion laughs"), nor can one rename a column.
  // The names and ids read here never hold an entity in a form Dynamics writes.
  processEntities: false,
  htmlEntities: false,
});

const isNode = (value: XmlValue): value is XmlNode => typeof value === 'object';

/** Every element called `name` (any case) at any depth. */
function* elements(node: XmlNode, name: string): Generator<XmlNode> {
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('@') || !Array.isArray(value)) continue;
    for (const child of value.filter(isNode)) {
      if (key.toLowerCase() === name) yield child;
      yield* elements(child, name);
    }
  }
}

function attribute(node: XmlNode, name: string): string | undefined {
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('@') && key.slice(1).toLowerCase() === name && typeof value === 'string') return value;
  }
  return undefined;
}

/** The text of a leaf parameter such as `<transcript>description</transcript>` (or with a type attribute). */
function text(node: XmlNode, name: string): string | undefined {
  for (const [key, value] of Object.entries(node)) {
    if (key.toLowerCase() !== name || !Array.isArray(value)) continue;
    const first = value[0];
    if (typeof first === 'string') return first.trim();
    if (first && typeof first['#text'] === 'string') return first['#text'].trim();
  }
  return undefined;
}

const guidKey = (value: string | undefined) => (value ?? '').replace(/[{}]/g, '').toLowerCase();

export function placementIn(formXml: string): TranscriptPlacement {
  const none: TranscriptPlacement = { readable: false, description: false, clients: [] };
  if (XMLValidator.validate(formXml) !== true) return none;
  const root = parser.parse(formXml) as XmlNode;
  const fieldOf = new Map<string, string>();
  let description = false;
  for (const control of elements(root, 'control')) {
    const field = attribute(control, 'datafieldname')?.toLowerCase();
    if (field === DESCRIPTION) description = true;
    const id = guidKey(attribute(control, 'uniqueid'));
    if (id && field) fieldOf.set(id, field);
  }
  const clients = new Set<Client>();
  let boundElsewhere: string | undefined;
  for (const described of elements(root, 'controldescription')) {
    const field = fieldOf.get(guidKey(attribute(described, 'forcontrol')));
    for (const custom of elements(described, 'customcontrol')) {
      if (attribute(custom, 'name')?.toLowerCase() !== TRANSCRIPT_CONTROL_NAME.toLowerCase()) continue;
      const client = FORM_FACTORS[attribute(custom, 'formfactor') ?? ''];
      const parameters = [...elements(custom, 'parameters')][0];
      const bound = (parameters && text(parameters, BOUND_PROPERTY)?.toLowerCase()) ?? field;
      if (field !== DESCRIPTION || bound !== DESCRIPTION) {
        boundElsewhere = bound ?? field;
        continue;
      }
      if (client) clients.add(client);
    }
  }
  return {
    readable: true,
    description,
    clients: CLIENTS.filter((client) => clients.has(client)),
    ...(boundElsewhere && !clients.size ? { boundElsewhere } : {}),
  };
}
