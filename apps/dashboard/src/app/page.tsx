import { redirect } from 'next/navigation';

// The models list is the home of the dashboard.
export default function Home() {
  redirect('/models');
}
