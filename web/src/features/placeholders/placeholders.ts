/** Sections that exist in the navigation before their screens do, with what will live there. */
export interface PlaceholderSection {
  path: string;
  title: string;
  summary: string;
  detail: string;
}

export const PLACEHOLDERS: readonly PlaceholderSection[] = [
  {
    path: 'schedule',
    title: 'Schedule',
    summary: 'Who is on shift at which desk, and when, shown in the library’s time zone.',
    detail: 'Build the rota, swap shifts with a colleague, and see each desk’s opening hours and holiday closures.',
  },
  {
    path: 'appointments',
    title: 'Appointments',
    summary: 'One-to-one appointments that patrons book with a librarian, such as research help or help with a device.',
    detail: 'See the day’s appointments, who is taking each one, and send or change reminders.',
  },
  {
    path: 'knowledge',
    title: 'Knowledge',
    summary:
      'The answers staff reuse: articles patrons can read in the FAQ, and canned responses for chats and emails.',
    detail: 'Write and review articles, and keep the canned responses short, current and in both English and Spanish.',
  },
  {
    path: 'partners',
    title: 'Partners',
    summary:
      'Organisations that take referrals from the library, such as other libraries, social services or a college.',
    detail: 'Keep their contact details, and follow the conversations you have referred to them.',
  },
  {
    path: 'reports',
    title: 'Reports',
    summary:
      'How the virtual branch is doing: questions by channel and desk, waiting times, missed chats and busy hours.',
    detail: 'Questions can be rated on the READ scale, and every report can be downloaded as a CSV file.',
  },
];
