import type { CreateBranchBody, CreateDeskBody, CreateStaffBody, Hours, WeeklyHours } from '@branchline/protocol';
import type { z } from 'zod';

export const DEMO_PASSWORD = 'branchline-demo';

const day = (opens: string, closes: string) => [{ opens, closes }];
const weekdays = (
  opens: string,
  closes: string,
  saturday: [string, string] | null,
  sunday: [string, string] | null,
): WeeklyHours => ({
  mon: day(opens, closes),
  tue: day(opens, closes),
  wed: day(opens, closes),
  thu: day(opens, closes),
  fri: day(opens, closes),
  sat: saturday ? day(...saturday) : [],
  sun: sunday ? day(...sunday) : [],
});

const holidays = [
  { date: '2026-11-26', note: 'Thanksgiving Day', intervals: [] },
  { date: '2026-12-24', note: 'Christmas Eve', intervals: [{ opens: '10:00', closes: '14:00' }] },
  { date: '2026-12-25', note: 'Christmas Day', intervals: [] },
  { date: '2027-01-01', note: "New Year's Day", intervals: [] },
];

const hours = (weekly: WeeklyHours): Hours => ({ weekly, exceptions: holidays });

export const DEMO_LIBRARY = {
  name: 'Three Rivers Public Library',
  slug: 'three-rivers',
  timeZone: 'America/New_York',
  contactEmail: 'ask@threerivers.example',
  contactPhone: '(412) 555-0142',
  websiteUrl: 'https://threerivers.example',
  allowedOrigins: ['https://threerivers.example', 'https://www.threerivers.example'],
};

export const DEMO_BRANCHES: z.input<typeof CreateBranchBody>[] = [
  {
    name: 'Main Library',
    address: '120 Commons Street\nThree Rivers, PA 15213',
    phone: '(412) 555-0100',
    hours: hours(weekdays('09:00', '20:00', ['10:00', '17:30'], ['12:00', '17:00'])),
    isActive: true,
  },
  {
    name: 'Hillside Branch',
    address: '2 Overlook Avenue\nThree Rivers, PA 15219',
    phone: '(412) 555-0120',
    hours: hours(weekdays('10:00', '18:00', ['10:00', '17:00'], null)),
    isActive: true,
  },
  {
    name: 'Riverside Branch',
    address: '85 Water Street\nThree Rivers, PA 15222',
    phone: '(412) 555-0130',
    hours: hours({ ...weekdays('12:00', '20:00', ['10:00', '17:00'], null), mon: [] }),
    isActive: true,
  },
];

export const DEMO_DESKS: z.input<typeof CreateDeskBody>[] = [
  {
    name: 'Ask a Librarian',
    slug: 'ask',
    description: 'General questions: finding books and articles, library cards, holds and local information.',
    mode: 'claim',
    hours: hours(weekdays('09:00', '21:00', ['10:00', '17:00'], ['12:00', '17:00'])),
    isActive: true,
  },
  {
    name: 'Tech Help',
    slug: 'tech',
    description: 'E-books and audiobooks, computers, printing, Wi-Fi hotspots and getting online.',
    mode: 'assign',
    hours: hours(weekdays('10:00', '18:00', ['10:00', '14:00'], null)),
    isActive: true,
  },
  {
    name: 'Español',
    slug: 'espanol',
    description: 'Ayuda en español con la biblioteca, tarjetas, libros y servicios de la comunidad.',
    mode: 'claim',
    hours: hours(weekdays('10:00', '19:00', ['10:00', '14:00'], null)),
    isActive: true,
  },
  {
    name: 'Accessibility',
    slug: 'accessibility',
    description: 'Print-disabled patrons: talking books, large print, accessible media and partner referrals.',
    mode: 'claim',
    hours: hours(weekdays('10:00', '17:00', null, null)),
    isActive: true,
  },
  {
    name: 'Phone',
    slug: 'phone',
    description: 'Calls and voicemail to the main library number.',
    mode: 'assign',
    hours: hours(weekdays('09:00', '20:00', ['10:00', '17:00'], null)),
    isActive: true,
  },
];

type DemoStaff = Omit<z.input<typeof CreateStaffBody>, 'password'>;

export const DEMO_STAFF: DemoStaff[] = [
  { name: 'Dana Whitfield', displayName: 'Dana', email: 'dana@threerivers.example', role: 'admin', languages: ['en'] },
  {
    name: 'Marcus Lee',
    displayName: 'Marcus',
    email: 'marcus@threerivers.example',
    role: 'supervisor',
    languages: ['en'],
  },
  {
    name: 'Sofía Hernández',
    displayName: 'Sofía',
    email: 'sofia@threerivers.example',
    role: 'librarian',
    languages: ['es', 'en'],
  },
  {
    name: 'Priya Raman',
    displayName: 'Priya',
    email: 'priya@threerivers.example',
    role: 'librarian',
    languages: ['en', 'ta'],
  },
  {
    name: 'Jamal Carter',
    displayName: 'Jamal',
    email: 'jamal@threerivers.example',
    role: 'librarian',
    languages: ['en'],
  },
  {
    name: 'Grace Kim',
    displayName: 'Grace',
    email: 'grace@threerivers.example',
    role: 'librarian',
    languages: ['en', 'ko'],
  },
  { name: "Tom O'Brien", displayName: 'Tom', email: 'tom@threerivers.example', role: 'librarian', languages: ['en'] },
  {
    name: 'Erin Walsh',
    displayName: 'Erin (Accessible Media Partners)',
    email: 'erin@accessible-media.example',
    role: 'partner',
    languages: ['en'],
  },
];
