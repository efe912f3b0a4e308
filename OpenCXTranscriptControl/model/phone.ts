/** The control's phone parser: the shared contact-match rules over the regional metadata it ships. */
import { createPhoneParser } from '@opencx-d365/contact-match/core';
import { PHONE_METADATA } from '../generated/phone-metadata';

export const parsePhone = createPhoneParser(PHONE_METADATA);
