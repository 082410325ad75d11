/** Campaigns and journeys: campaign_performance and journey_performance as sortable tables. */
import type { ReportData, Section } from '../types';

export function campaignsSection(data: ReportData): Section {
  const { campaign_performance: campaigns, journey_performance: journeys } = data.rows;
  return {
    id: 'campaigns',
    title: 'Campaigns and journeys',
    intro: 'Pinpoint campaigns per treatment and journeys per activity. Click a column to sort.',
    empty: campaigns.length === 0 && journeys.length === 0,
    keyNumbers: [
      {
        key: 'campaigns.campaigns',
        label: 'campaigns',
        value: new Set(campaigns.map((row) => row.campaign_id)).size,
        format: 'count',
      },
      {
        key: 'campaigns.journeys',
        label: 'journeys',
        value: new Set(journeys.map((row) => row.journey_id)).size,
        format: 'count',
      },
    ],
    charts: [],
    tables: [
      {
        id: 'campaign-table',
        title: 'Campaigns',
        source: 'campaign_performance',
        columns: [
          { name: 'campaign_id', label: 'campaign' },
          { name: 'treatment_id', label: 'treatment' },
          { name: 'endpoints_sent', label: 'sent', format: 'count' },
          { name: 'send_failures', label: 'failed', format: 'count' },
          { name: 'push_opened', label: 'push opened', format: 'count' },
          { name: 'emails_delivered', label: 'emails delivered', format: 'count' },
          { name: 'emails_opened', label: 'emails opened', format: 'count' },
          { name: 'emails_clicked', label: 'emails clicked', format: 'count' },
          { name: 'in_app_displayed', label: 'in-app shown', format: 'count' },
          { name: 'open_rate', label: 'push open rate', format: 'percent' },
        ],
        rows: campaigns,
      },
      {
        id: 'journey-table',
        title: 'Journeys',
        source: 'journey_performance',
        columns: [
          { name: 'journey_id', label: 'journey' },
          { name: 'journey_activity_id', label: 'activity' },
          { name: 'journey_runs', label: 'runs', format: 'count' },
          { name: 'endpoints_sent', label: 'sent', format: 'count' },
          { name: 'send_failures', label: 'failed', format: 'count' },
          { name: 'push_opened', label: 'push opened', format: 'count' },
          { name: 'emails_delivered', label: 'emails delivered', format: 'count' },
          { name: 'emails_opened', label: 'emails opened', format: 'count' },
          { name: 'sms_delivered', label: 'SMS delivered', format: 'count' },
        ],
        rows: journeys,
      },
    ],
  };
}
