/** Griffel styles of the first screen: the handoff brief, the marks, the disclosure, the log's rows. */
import { makeStyles, shorthands, tokens } from '@fluentui/react-components';

export const useFirstScreenStyles = makeStyles({
  brief: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalXS,
    ...shorthands.padding(tokens.spacingVerticalS, tokens.spacingHorizontalL),
    ...shorthands.borderRadius(tokens.borderRadiusMedium),
    ...shorthands.border(tokens.strokeWidthThin, 'solid', tokens.colorNeutralStroke2),
    borderInlineStartWidth: tokens.strokeWidthThickest,
    borderInlineStartColor: tokens.colorBrandStroke1,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  briefNarrow: { ...shorthands.padding(tokens.spacingVerticalS, tokens.spacingHorizontalM) },
  briefTitleRow: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalS,
    rowGap: tokens.spacingVerticalXXS,
  },
  briefTitle: { fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold, margin: 0 },
  ago: { color: tokens.colorNeutralForeground2 },
  briefSummary: { margin: 0, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' },
  quotes: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalXXS },
  quote: {
    textAlign: 'start',
    overflowWrap: 'anywhere',
    // Two lines at most: the whole turn is one click away in the log.
    overflow: 'hidden',
    display: '-webkit-box',
    WebkitLineClamp: 2,
    WebkitBoxOrient: 'vertical',
  },
  quoteLabel: { fontWeight: tokens.fontWeightSemibold, marginInlineEnd: tokens.spacingHorizontalXS },
  mark: {
    marginInlineStart: tokens.spacingHorizontalS,
    fontSize: tokens.fontSizeBase200,
    whiteSpace: 'nowrap',
  },
  verified: { color: tokens.colorPaletteGreenForeground1 },
  stated: { color: tokens.colorNeutralForeground2, fontStyle: 'italic' },
  disclosure: {
    cursor: 'pointer',
    fontWeight: tokens.fontWeightSemibold,
    color: tokens.colorBrandForeground1,
  },
  row: {
    ':focus': { outlineStyle: 'none' },
    ':focus-visible': {
      outlineStyle: 'solid',
      outlineWidth: '2px',
      outlineOffset: '-2px',
      outlineColor: tokens.colorStrokeFocus2,
    },
  },
  openCases: { margin: 0, paddingInlineStart: tokens.spacingHorizontalXXL },
  // A notice cut to one line on a phone (Notice.tsx): the rest is one click away.
  oneLine: { overflow: 'hidden', whiteSpace: 'nowrap', textOverflow: 'ellipsis', minWidth: 0 },
});
