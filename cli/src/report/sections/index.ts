/** The report's sections, in page order. */
import type { ReportData, Section } from '../types';
import { appSection } from './app';
import { campaignsSection } from './campaigns';
import { emailSection } from './email';
import { messagingSection } from './messaging';
import { volumeSection } from './volume';

export function buildSections(data: ReportData): Section[] {
  return [volumeSection, appSection, emailSection, messagingSection, campaignsSection].map((build) =>
    build(data),
  );
}
