import * as React from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
} from '@fluentui/react-components';
import { fill, type Strings } from '../../model/strings';

export interface RelinkDialogProps {
  strings: Strings;
  /** The case's current customer's name. */
  current: string;
  /** The contact the rep chose instead; the dialog is open while there is one. */
  target?: string;
  onConfirm: () => void;
  onCancel: () => void;
}

/** Asks before a link replaces a real customer. */
export const RelinkDialog: React.FC<RelinkDialogProps> = ({
  strings,
  current,
  target,
  onConfirm,
  onCancel,
}) => (
  <Dialog open={target !== undefined} onOpenChange={(_, d) => !d.open && onCancel()}>
    <DialogSurface>
      <DialogBody>
        <DialogTitle>{strings.Link_Relink_Title}</DialogTitle>
        <DialogContent>{fill(strings.Link_Relink_Body, current, target ?? '')}</DialogContent>
        <DialogActions>
          <Button appearance="primary" onClick={onConfirm}>
            {strings.Link_Relink_Confirm}
          </Button>
          <Button onClick={onCancel}>{strings.Link_Cancel}</Button>
        </DialogActions>
      </DialogBody>
    </DialogSurface>
  </Dialog>
);
